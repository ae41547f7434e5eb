"""Helpers for the Mattermost tests: the bot in process, and people using the real driver."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from mattermost_server import MattermostServer
from mattermostdriver import Driver
from people_kit import BotInProcess

from adapters.mattermost import KEY_TO_NAME, PREFIX, MattermostAdapter, driver_options
from bot.config import Config, MattermostSection, StorageSection, TimingSection
from bot.scenario import Heard, wait_for_ref
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


class MattermostBot(BotInProcess):
    """The bot with its Mattermost adapter, in the test's own event loop."""

    def make_adapter(self, store: Store) -> MattermostAdapter:
        assert self.config.mattermost is not None
        return MattermostAdapter(self.config.mattermost, store, language="fr")

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

    def user_id(self, person: str) -> str:
        return self.ids[person]

    @property
    def bot_id(self) -> str:
        return next(u["id"] for u in self.server.users.values() if u["username"] == BOT_USERNAME)

    async def open(self, *, facilitator: str, admins: tuple[str, ...] = ()) -> str:
        """Accounts, a channel with everyone and the bot, and each person logged in."""
        bot = self.bot_id
        for name in self.names:
            user = self.server.add_user(name, f"{name}-password", first_name=name.title())
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

    async def say(self, user: str, text: str) -> None:
        posts = self.drivers[user].posts
        await asyncio.to_thread(posts.create_post, {"channel_id": self.channel, "message": text})

    async def dm(self, user: str, text: str) -> None:
        driver = self.drivers[user]
        bot = self.bot_id
        channel = await asyncio.to_thread(
            driver.channels.create_direct_message_channel, [self.ids[user], bot]
        )
        await asyncio.to_thread(
            driver.posts.create_post, {"channel_id": channel["id"], "message": text}
        )

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
