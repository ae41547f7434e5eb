"""Helpers for the Mattermost tests: the bot in process, and people using the real driver."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from mattermost_server import MattermostServer
from mattermostdriver import Driver
from people_kit import BotInProcess, heard, until

from adapters.mattermost import KEY_TO_NAME, PREFIX, MattermostAdapter, driver_options
from bot.config import Config, MattermostSection, StorageSection, TimingSection
from bot.ports import Sink
from bot.scenario import Heard, wait_for_ref
from bot.scenario import name as display_name
from bot.state import AtelierState
from bot.store import Store

BOT_USERNAME = "atelier"


def bot_config(
    server: MattermostServer, folder: Path, spm: float, *, url: str | None = None, **extra: Any
) -> Config:
    """A configuration for a bot account (created on the server, logged in by token)."""
    if not any(u["username"] == BOT_USERNAME for u in server.users.values()):
        server.add_user(BOT_USERNAME, "bot-password", first_name="Atelier")
    token = server.login_token(BOT_USERNAME)
    return Config(
        storage=StorageSection(path=folder / "atelier.db"),
        timing=TimingSection(seconds_per_minute=spm),
        mattermost=MattermostSection(url=url or server.url, token=token, **extra),
    )


class RecordingAdapter(MattermostAdapter):
    """The adapter, keeping what it handed to the runtime (``inbound``), in order. Kept as it
    is handed over: the runtime updates its state before it returns (after delivering the
    answers), so a test that waits on the state may stop the bot before the sink returns."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbound: list[object] = []

    async def connect(self, sink: Sink) -> None:
        async def recording(inbound: object) -> None:
            self.inbound.append(inbound)
            await sink(inbound)

        await super().connect(recording)


class MattermostBot(BotInProcess):
    """The bot with its Mattermost adapter, in the test's own event loop."""

    def make_adapter(self, store: Store) -> MattermostAdapter:
        assert self.config.mattermost is not None
        return RecordingAdapter(self.config.mattermost, store, language="fr")

    @property
    def inbound(self) -> list[object]:
        """Every event the adapter handed to the runtime, in order."""
        return list(self.adapter.inbound) if self.adapter is not None else []

    async def websocket_down(self, server: MattermostServer) -> None:
        """The server closes the bot's websocket and refuses new ones; the bot notices."""
        server.refuse_websockets = True
        await server.drop_websockets()
        await until("the bot to notice", lambda: not self.adapter.connected.is_set())

    async def websocket_up(self, server: MattermostServer) -> None:
        """The server takes websockets again; the bot reconnects (and catches up)."""
        server.refuse_websockets = False
        await until("the bot to reconnect", lambda: self.adapter.connected.is_set())

    async def start(self) -> "MattermostBot":
        await super().start()
        await asyncio.wait_for(self.adapter.connected.wait(), 30)
        return self


class MattermostPeople:
    """People with accounts on the test server, each acting through a real mattermostdriver."""

    def __init__(
        self,
        server: MattermostServer,
        names: Iterable[str],
        *,
        refs: Callable[[str, str], Awaitable[str | None]],
        state: Callable[[str], Awaitable[AtelierState | None]],
    ) -> None:
        self.server = server
        self.names = list(names)
        self._refs = refs
        self._state = state
        self.ids: dict[str, str] = {}
        self.drivers: dict[str, Driver] = {}
        self.channel = ""
        self.room = ""
        self.facilitator = ""

    def user_id(self, person: str) -> str:
        return self.ids[person]

    @property
    def bot_id(self) -> str:
        return next(u["id"] for u in self.server.users.values() if u["username"] == BOT_USERNAME)

    async def open(self, *, facilitator: str, admins: tuple[str, ...] = ()) -> str:
        """Accounts, a channel with everyone and the bot, and each person logged in."""
        bot = self.bot_id
        self.facilitator = facilitator
        for name in self.names:
            user = self.server.add_user(name, f"{name}-password", first_name=display_name(name))
            self.ids[name] = user["id"]
            settings = MattermostSection(
                url=self.server.url, login_id=name, password=f"{name}-password"
            )
            driver = Driver(driver_options(settings))
            await asyncio.to_thread(driver.login)
            self.drivers[name] = driver
        members = [*self.ids.values(), bot]
        admin_ids = tuple(self.ids[a] for a in (facilitator, *admins))
        self.channel = self.server.add_channel("atelier", members, admins=admin_ids)
        self.room = PREFIX + self.channel
        return self.room

    async def say(self, user: str, text: str, *, thread: str | None = None) -> str:
        """``user`` writes in the channel (a reply in the thread of post ``thread``); returns
        the post's id."""
        options = {"channel_id": self.channel, "message": text}
        if thread:
            options["root_id"] = thread
        post = await asyncio.to_thread(self.drivers[user].posts.create_post, options)
        return str(post["id"])

    async def edit(self, user: str, post_id: str, text: str) -> None:
        posts = self.drivers[user].posts
        await asyncio.to_thread(posts.patch_post, post_id, {"message": text})

    async def delete(self, user: str, post_id: str) -> None:
        await asyncio.to_thread(self.drivers[user].posts.delete_post, post_id)

    async def dm(self, user: str, text: str) -> None:
        driver = self.drivers[user]
        bot = self.bot_id
        channel = await asyncio.to_thread(
            driver.channels.create_direct_message_channel, [self.ids[user], bot]
        )
        await asyncio.to_thread(
            driver.posts.create_post, {"channel_id": channel["id"], "message": text}
        )

    def direct_channel(self, user: str) -> str | None:
        """The direct-message channel between ``user`` and the bot, if there is one yet."""
        pair = "__".join(sorted((self.ids[user], self.bot_id)))
        return next((c.id for c in self.server.channels.values() if c.name == pair), None)

    async def react(self, user: str, ref: str, key: str, *, remove: bool) -> str:
        post = await wait_for_ref(self._refs, self.room, ref)
        driver = self.drivers[user]
        emoji = KEY_TO_NAME[key]
        if remove:
            await asyncio.to_thread(driver.reactions.delete_reaction, self.ids[user], post, emoji)
        else:
            reaction = {"user_id": self.ids[user], "post_id": post, "emoji_name": emoji}
            await asyncio.to_thread(driver.reactions.create_reaction, reaction)
        return post[:8] + "…"

    async def leave(self, user: str) -> None:
        """``user`` leaves the channel (``DELETE /channels/{id}/members/{user_id}``)."""
        driver = self.drivers[user]
        await asyncio.to_thread(driver.channels.remove_channel_member, self.channel, self.ids[user])

    async def room_messages(self, reader: str | None = None) -> list[tuple[str | None, str]]:
        """Every post of the channel as the server answers ``GET /channels/{id}/posts`` to
        ``reader`` (the facilitator unless said), oldest first: (the person's name, or None
        for the bot; the text)."""
        driver = self.drivers[reader or self.facilitator]
        names = {uid: name for name, uid in self.ids.items()}
        bot = self.bot_id
        posts: list[dict[str, Any]] = []
        page = 0
        while True:
            answer = await asyncio.to_thread(
                driver.posts.get_posts_for_channel,
                self.channel,
                params={"page": page, "per_page": 200},
            )
            if not answer["order"]:
                break
            posts += [answer["posts"][post_id] for post_id in answer["order"]]
            page += 1
        posts.sort(key=lambda p: p["create_at"])
        return [
            (None if p["user_id"] == bot else names.get(p["user_id"], p["user_id"]), p["message"])
            for p in posts
        ]

    async def state(self) -> AtelierState | None:
        return await self._state(self.room)

    @property
    def heard(self) -> list[Heard]:
        """The bot's posts, as the server holds them: in the channel, or privately to someone."""
        bot = self.bot_id
        by_id = {uid: name for name, uid in self.ids.items()}
        heard = []
        for post in self.server.posts_by(bot):
            channel = self.server.channels[post["channel_id"]]
            to = None
            if channel.type == "D":
                other = next((u for u in channel.members if u != bot), bot)
                to = by_id.get(other, other)
            elif channel.id != self.channel:
                continue
            heard.append(Heard(to, post["message"], post["id"], None, (), channel.id))
        return heard

    async def close(self) -> None:
        return None


async def at_rules(  # type: ignore[no-untyped-def]
    mattermost: MattermostServer,
    folder: Path,
    names: list[str],
    system_admins: Iterable[str] = (),
    team_admins: Iterable[str] = (),
):
    """The bot, people who joined, and the atelier at its ground rules, Camille facilitating
    (each line a member writes there is a rule: an input to withdraw, or not)."""
    bot = await MattermostBot(bot_config(mattermost, folder, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", *names], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    for admin in system_admins:
        mattermost.make_system_admin(people.user_id(admin))
    for admin in team_admins:
        mattermost.make_team_admin(people.user_id(admin))
    await people.say("camille", "!atelier démarrer")
    for person in names:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    await people.dm("camille", "aller 3")
    await heard(people, "Étape 3/18 — Règles du jeu")
    return bot, people, room


async def rules_of(bot: "MattermostBot", room: str) -> list[str]:
    """The rules the atelier holds now."""
    state = await bot.state(room)
    return [] if state is None else [rule.text for rule in state.rules]
