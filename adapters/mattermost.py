"""The Mattermost adapter, on mattermostdriver 7.3.2: channels and direct messages.

mattermostdriver has had no release since January 2022. It is kept thin here (post, react,
direct message, pin, event stream) so that replacing it would touch this module only:

- **REST** calls are synchronous (``requests``): each runs in a worker thread, never on the
  event loop, so a slow request cannot freeze the other ateliers.
- **Websocket**: the driver's ``init_websocket`` blocks the loop (``run_until_complete``), its
  TLS context is a *server* context (broken over ``wss://`` on Python ≥ 3.10, upstream #115)
  and it reconnects on its own after a clean close. ``ClientWebsocket`` keeps its
  authentication and fixes the context; the adapter owns the connection: connect, reconnect
  with backoff, and after each (re)connection catch up on everything missed meanwhile — posts,
  edits, reactions added and taken back, in every channel and direct message the bot is in
  (``adapters.mattermost_catchup``). The runtime drops an event id it has already handled.
- **Sending**: Markdown as it is, ``@username`` mentions when giving the floor, the outbox key
  as ``pending_post_id`` (the server posts a repeated one once), rules pinned.
"""

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import websockets
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)
from mattermostdriver.websocket import Websocket

from adapters.mattermost_catchup import CatchUp, Missed, ReactionBook
from bot.config import MattermostSection
from bot.effects import React, Say, SayDirect
from bot.events import MemberLeft, MessageEdited, MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, ReactionIn, ReactionOut, Reconnected
from bot.ports import DeliveryError, Sink
from bot.store import Store

__all__ = ["EMOJI_NAMES", "ClientWebsocket", "MattermostAdapter", "MattermostLoginError"]

log = logging.getLogger("atelier.mattermost")

PREFIX = "mattermost:"
MAX_BACKOFF = 30.0
#: Mattermost emoji names ↔ the engine's neutral reaction keys
EMOJI_NAMES = {
    "one": "one",
    "two": "two",
    "+1": "thumbsup",
    "thumbsup": "thumbsup",
    "white_check_mark": "yes",
    "heavy_check_mark": "yes",
    "x": "no",
    "raised_hand": "hand",
    "hand": "hand",
}
KEY_TO_NAME = {
    "one": "one",
    "two": "two",
    "thumbsup": "+1",
    "yes": "white_check_mark",
    "no": "x",
    "hand": "raised_hand",
}
#: how long start-up waits for the websocket before going on (it keeps trying after that)
FIRST_CONNECT_WAIT = 30.0
#: how long a user's display name and channel role are trusted before asking again
CACHE_SECONDS = 60.0

T = TypeVar("T")


class MattermostLoginError(Exception):
    """The server refused the bot's credentials (a configuration problem)."""


def client_tls_context(verify: bool | str) -> ssl.SSLContext:
    """A *client* context (the driver builds a server one), trusting ``verify`` if a CA file."""
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=verify if isinstance(verify, str) else None
    )
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class ClientWebsocket(Websocket):  # type: ignore[misc]
    """The driver's websocket, connected once per call, with a correct client TLS context.

    ``connect`` authenticates (the driver's own challenge), then hands every message to the
    handler until the connection ends, and returns; reconnecting is the caller's decision.
    """

    async def connect(self, event_handler: Callable[[str], Any]) -> None:
        secure = self.options["scheme"] == "https"
        url = "{}://{}:{}{}/websocket".format(
            "wss" if secure else "ws",
            self.options["url"],
            self.options["port"],
            self.options["basepath"],
        )
        context = client_tls_context(self.options["verify"]) if secure else None
        self._alive = True
        async with websockets.connect(url, ssl=context, open_timeout=10) as socket:
            self.socket = socket
            await self._authenticate_websocket(socket, event_handler)
            async for message in socket:
                if not self._alive:
                    break
                await event_handler(message)

    async def _authenticate_websocket(
        self, websocket: Any, event_handler: Callable[[str], Any]
    ) -> None:
        """The authentication challenge, then every message up to ``hello`` (seq 0)."""
        challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": self._token}}
        await websocket.send(json.dumps(challenge))
        while True:
            message = await websocket.recv()
            status = json.loads(message)
            if status.get("status") == "FAIL":
                raise ConnectionError(f"websocket authentication refused: {status}")
            await event_handler(message)
            if status.get("event") == "hello" and status.get("seq") == 0:
                return

    def disconnect(self) -> None:
        self._alive = False
        socket = getattr(self, "socket", None)
        if socket is not None:
            asyncio.get_running_loop().create_task(socket.close())


def driver_options(settings: MattermostSection) -> dict[str, Any]:
    parts = urlsplit(settings.url)
    secure = parts.scheme == "https"
    verify: bool | str = settings.verify_tls
    if settings.ca_file is not None:
        verify = str(settings.ca_file)
    return {
        "url": parts.hostname or "localhost",
        "port": parts.port or (443 if secure else 80),
        "scheme": parts.scheme,
        "basepath": (parts.path.rstrip("/") or "") + "/api/v4",
        "verify": verify,
        "token": settings.token,
        "login_id": settings.login_id,
        "password": settings.password,
        "request_timeout": 30,
        "keepalive": False,
        "debug": False,
    }


class MattermostAdapter:
    name = "mattermost"

    def __init__(self, settings: MattermostSection, store: Store, *, language: str) -> None:
        self.settings = settings
        self.store = store
        self.language = language
        self.driver = Driver(driver_options(settings))
        self.user_id = ""
        self._sink: Sink | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: ClientWebsocket | None = None
        self._closing = False
        self._channels: dict[str, int] = {}  # channel id → create_at of the last post handled
        self._direct: dict[str, str] = {}  # user id → direct channel id
        self._kinds: dict[str, str] = {}  # channel id → type ("O", "P", "D", "G")
        self.book = ReactionBook(store)
        self._catchup = CatchUp(
            self.driver, self._rest, store, self.book, emojis=EMOJI_NAMES, labelled=self._labelled
        )
        self._names: dict[str, tuple[float, str, str]] = {}  # user → (at, display, username)
        self._roles: dict[tuple[str, str], tuple[float, bool]] = {}
        self._channel_names: dict[str, str] = {}  # channel id → display name, from events
        self.connected = asyncio.Event()  # set while the websocket is up (tests wait on it)

    def owns(self, room: str) -> bool:
        return room.startswith(PREFIX)

    def room_name(self, room: str) -> str | None:
        return self._channel_names.get(room.removeprefix(PREFIX))

    async def _rest(self, call: Callable[..., T], *args: Any) -> T:
        """A synchronous driver call, in a worker thread."""
        return await asyncio.to_thread(call, *args)

    # -- session -------------------------------------------------------------------------------
    async def connect(self, sink: Sink) -> None:
        self._sink = sink
        self._channels = {
            k: int(v)
            for k, v in json.loads(await self.store.get("mattermost.channels") or "{}").items()
        }
        self._direct = json.loads(await self.store.get("mattermost.direct") or "{}")
        await self._catchup.load()
        delay = 1.0
        while True:
            try:
                me = await self._rest(self.driver.login)
                break
            except (NoAccessTokenProvided, InvalidOrMissingParameters) as error:
                key = "token" if self.settings.token else "password"
                raise MattermostLoginError(
                    f"[mattermost] {key}: the server refused the bot's login ({error})"
                ) from error
            except requests.RequestException as error:
                log.warning("Mattermost unreachable (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)
        self.user_id = self._catchup.bot = str(me["id"])
        self._task = asyncio.get_running_loop().create_task(self._listen())
        try:  # "listening" should mean it: wait for the websocket's hello
            await asyncio.wait_for(self.connected.wait(), FIRST_CONNECT_WAIT)
        except TimeoutError:
            log.warning("no websocket yet; still trying (missed posts are fetched on connect)")

    async def _listen(self) -> None:
        """Keep one websocket open; after each (re)connection, catch up on what was missed."""
        delay = 1.0
        first = True
        while not self._closing:
            self._socket = ClientWebsocket(self.driver.options, self.driver.client.token)
            try:
                await self._socket.connect(self._on_message)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("websocket lost (%s); reconnecting in %.0f s", error, delay)
            self.connected.clear()
            await self._catchup.lost()
            if self._closing:
                return
            if not first:
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)
            first = False

    async def close(self) -> None:
        self._closing = True
        await self._catchup.lost()
        if self._socket is not None:
            self._socket.disconnect()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- inbound -------------------------------------------------------------------------------
    async def _emit(self, inbound: object) -> None:
        if self._sink is not None:
            await self._sink(inbound)

    async def _on_message(self, raw: str) -> None:
        try:
            message = json.loads(raw)
            event = message.get("event")
            data = message.get("data") or {}
            if event == "hello":
                await self._on_hello()
            elif event == "posted":
                post = json.loads(data["post"])
                if data.get("channel_display_name"):
                    self._channel_names[post["channel_id"]] = str(data["channel_display_name"])
                self._kinds[post["channel_id"]] = str(data.get("channel_type") or "O")
                await self._on_post(post, self._kinds[post["channel_id"]])
            elif event == "post_edited":
                await self._on_edit(json.loads(data["post"]))
            elif event in ("reaction_added", "reaction_removed"):
                reaction = json.loads(data["reaction"])
                # a removal carries no channel_id (api4/reaction.go builds it from the URL); the
                # event's broadcast names the channel
                broadcast = message.get("broadcast") or {}
                await self._reacted(
                    str(reaction.get("channel_id") or broadcast.get("channel_id") or ""),
                    str(reaction["post_id"]),
                    str(reaction["user_id"]),
                    str(reaction["emoji_name"]),
                    int(reaction.get("update_at") or reaction.get("create_at") or 0),
                    added=event == "reaction_added",
                )
            elif event == "user_removed":
                await self._on_removed(message)
        except Exception:  # never let one event stop the stream
            log.exception("could not handle a Mattermost event")

    async def _on_hello(self) -> None:
        """Connected: deliver what is owed, then replay what was missed, oldest first."""
        self.connected.set()
        await self._emit(Reconnected(platform=self.name))
        gap = await self._catchup.run(self._channels)
        await self._learn(gap.channels)
        if gap.gone:
            for channel in gap.gone:
                self._channels.pop(channel, None)
            await self.store.put("mattermost.channels", json.dumps(self._channels))
        for item in gap.missed:
            await self._replay(item)
        await self._catchup.replayed(gap)

    async def _learn(self, channels: dict[str, dict[str, Any]]) -> None:
        """Types and names of the bot's channels; the person behind each direct message."""
        direct = dict(self._direct)
        for channel, about in channels.items():
            self._kinds[channel] = str(about.get("type") or "O")
            if about.get("type") == "D":
                for user in str(about.get("name", "")).split("__"):
                    if user and user != self.user_id:
                        self._direct.setdefault(user, channel)
            elif about.get("display_name"):
                self._channel_names.setdefault(channel, str(about["display_name"]))
        if self._direct != direct:
            await self.store.put("mattermost.direct", json.dumps(self._direct))

    def _kind(self, channel: str) -> str:
        known = self._kinds.get(channel)
        return known or ("D" if channel in self._direct.values() else "O")

    async def _replay(self, item: Missed) -> None:
        if item.kind == "post":
            await self._on_post(item.post, self._kind(item.channel))
        elif item.kind == "edit":
            await self._on_edit(item.post)
        else:
            post, added = str(item.post["id"]), item.kind == "reaction+"
            await self._reacted(item.channel, post, item.user, item.emoji, item.stamp, added=added)

    async def _seen(self, channel: str, create_at: int) -> None:
        if create_at > self._channels.get(channel, 0):
            self._channels[channel] = create_at
            await self.store.put("mattermost.channels", json.dumps(self._channels))

    async def _on_post(self, post: dict[str, Any], channel_type: str) -> None:
        if post.get("user_id") == self.user_id or post.get("type"):
            await self._seen(post["channel_id"], int(post["create_at"]))
            return  # the bot's own posts, and system messages ("joined the channel"…)
        sender = str(post["user_id"])
        name, _ = await self._who(sender)
        post_id = str(post["id"])
        if channel_type == "D":
            if sender not in self._direct:
                self._direct[sender] = post["channel_id"]
                await self.store.put("mattermost.direct", json.dumps(self._direct))
            inbound: object = DirectIn(
                platform=self.name,
                sender=UserId(sender),
                sender_name=name,
                text=str(post["message"]),
                event_id=EventId(post_id),
            )
        else:
            inbound = MessagePosted(
                room=RoomId(PREFIX + post["channel_id"]),
                sender=UserId(sender),
                sender_name=name,
                text=str(post["message"]),
                message_id=MessageId(post_id),
                event_id=EventId(post_id),
                moderator=await self._is_admin(post["channel_id"], sender),
            )
        await self._emit(inbound)
        await self._seen(post["channel_id"], int(post["create_at"]))

    async def _on_edit(self, post: dict[str, Any]) -> None:
        if post.get("user_id") == self.user_id or post["channel_id"] in self._direct.values():
            return
        await self._emit(
            MessageEdited(
                room=RoomId(PREFIX + post["channel_id"]),
                sender=UserId(post["user_id"]),
                original_id=MessageId(post["id"]),
                text=str(post["message"]),
                event_id=EventId(f"{post['id']}@{post.get('edit_at', 0)}"),
            )
        )

    async def _reacted(
        self, channel: str, post: str, user: str, emoji: str, stamp: int, *, added: bool
    ) -> None:
        """A reaction added or taken back, from the websocket or the catch-up alike.

        Only reactions to the bot's labelled posts reach the engine. The adapter keeps those it
        counted (``ReactionBook``): an addition already counted is not emitted again, and the
        event id of a removal names the addition it undoes (``±user:post:emoji:stamp``, the
        stamp being the reaction's ``update_at`` when added), whichever way it came.
        """
        key = EMOJI_NAMES.get(emoji)
        if user == self.user_id or key is None or not channel:
            return
        if not await self._labelled(channel, post):
            return
        room = RoomId(PREFIX + channel)
        counted = await self.book.counted(channel, post, user, emoji)
        if added:
            if counted is not None:
                return
            name, _ = await self._who(user)
            await self._emit(
                ReactionIn(
                    room=room,
                    sender=UserId(user),
                    sender_name=name,
                    message_id=MessageId(post),
                    key=key,
                    event_id=EventId(f"+{user}:{post}:{emoji}:{stamp}"),
                )
            )
            await self.book.add(channel, post, user, emoji, stamp)
        else:
            await self._emit(
                ReactionOut(
                    room=room,
                    sender=UserId(user),
                    message_id=MessageId(post),
                    key=key,
                    event_id=EventId(f"-{user}:{post}:{emoji}:{counted or stamp}"),
                )
            )
            await self.book.remove(channel, post, user, emoji)

    async def _labelled(self, channel: str, post: str) -> bool:
        return await self.store.ref_for(PREFIX + channel, post) is not None

    async def _on_removed(self, message: dict[str, Any]) -> None:
        data, broadcast = message.get("data") or {}, message.get("broadcast") or {}
        if broadcast.get("user_id") == self.user_id and data.get("channel_id"):
            channel = str(data["channel_id"])
            self._channels.pop(channel, None)
            await self._emit(
                MemberLeft(
                    room=RoomId(PREFIX + channel), sender=UserId(self.user_id), bot_removed=True
                )
            )
        elif data.get("user_id") and broadcast.get("channel_id"):
            await self._emit(
                MemberLeft(
                    room=RoomId(PREFIX + broadcast["channel_id"]),
                    sender=UserId(str(data["user_id"])),
                )
            )

    async def _who(self, user: str) -> tuple[str, str]:
        """(display name, username), cached for a minute."""
        cached = self._names.get(user)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1], cached[2]
        try:
            found = await self._rest(self.driver.users.get_user, user)
        except (requests.RequestException, ResourceNotFound):
            return user, user
        username = str(found.get("username") or user)
        display = str(found.get("nickname") or found.get("first_name") or username)
        self._names[user] = (time.monotonic(), display, username)
        return display, username

    async def _is_admin(self, channel: str, user: str) -> bool:
        """Channel admins (and system admins) may take over facilitation."""
        cached = self._roles.get((channel, user))
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            member = await self._rest(self.driver.channels.get_channel_member, channel, user)
        except (requests.RequestException, ResourceNotFound, NotEnoughPermissions):
            return False
        roles = str(member.get("roles", "")).split()
        admin = "channel_admin" in roles or "system_admin" in roles
        self._roles[(channel, user)] = (time.monotonic(), admin)
        return admin

    # -- outbound ------------------------------------------------------------------------------
    async def perform(
        self, effect: Say | SayDirect | React, *, idempotency_key: str | None = None
    ) -> str | None:
        try:
            if isinstance(effect, Say):
                channel = effect.room.removeprefix(PREFIX)
                message = await self._with_mentions(effect.body, effect.mentions)
                post = await self._post(channel, message, idempotency_key)
                if post is not None and effect.ref:
                    await self.book.track(channel, str(post["id"]))
                if post is not None and effect.pin:
                    await self._pin(str(post["id"]))
                return None if post is None else str(post["id"])
            if isinstance(effect, SayDirect):
                channel = await self._direct_channel(effect.user)
                await self._post(channel, effect.body, idempotency_key)
                return None
            await self._rest(
                self.driver.reactions.create_reaction,
                {
                    "user_id": self.user_id,
                    "post_id": effect.message_id,
                    "emoji_name": KEY_TO_NAME.get(effect.key, effect.key),
                },
            )
            return None
        except (NotEnoughPermissions, ResourceNotFound, InvalidOrMissingParameters) as error:
            log.warning("dropping a message to %s: %s", effect.room, error)
            return None
        except requests.HTTPError as error:
            response = error.response
            if response is not None and response.status_code == 429:
                reset = response.headers.get("X-Ratelimit-Reset")
                raise DeliveryError("rate limited", retry_after=float(reset or 1)) from error
            raise DeliveryError(f"server error: {error}") from error
        except requests.RequestException as error:
            raise DeliveryError(f"server unreachable: {error}") from error

    async def _post(self, channel: str, message: str, key: str | None) -> dict[str, Any] | None:
        options: dict[str, Any] = {"channel_id": channel, "message": message}
        if key:
            options["pending_post_id"] = f"{self.user_id}:{key}"
        return dict(await self._rest(self.driver.posts.create_post, options))

    async def _with_mentions(self, body: str, mentions: tuple[str, ...]) -> str:
        """Mattermost notifies on ``@username``: put the people given the floor first."""
        if not mentions:
            return body
        names = [f"@{(await self._who(user))[1]}" for user in mentions]
        return f"{' '.join(names)} {body}"

    async def _pin(self, post_id: str) -> None:
        try:
            await self._rest(self.driver.posts.pin_post_to_channel, post_id)
        except (NotEnoughPermissions, requests.RequestException) as error:
            log.info("cannot pin %s: %s", post_id, error)

    async def _direct_channel(self, user: str) -> str:
        known = self._direct.get(user)
        if known:
            return known
        channel = await self._rest(
            self.driver.channels.create_direct_message_channel, [self.user_id, user]
        )
        self._direct[user] = str(channel["id"])
        await self.store.put("mattermost.direct", json.dumps(self._direct))
        return self._direct[user]
