"""The Mattermost adapter, on mattermostdriver 7.3.2: channels and direct messages.

mattermostdriver has had no release since January 2022. It is kept thin here (post, react,
direct message, pin, event stream) so that replacing it would touch these modules only. This
one logs in and wires the parts together:

- **REST** calls are synchronous (``requests``): each runs in a worker thread, never on the
  event loop, so a slow request cannot freeze the other ateliers.
- **Websocket** (``adapters.mattermost_socket``): the adapter owns the connection (the driver's
  own blocks the loop and cannot do TLS as a client): connect, reconnect with backoff, and after
  each (re)connection catch up on everything missed meanwhile — posts, edits, reactions added
  and taken back, in every channel and direct message the bot is in
  (``adapters.mattermost_catchup``). The runtime drops an event id it has already handled.
- **Receiving** (``adapters.mattermost_receive``): events → inbound values.
- **Sending** (``adapters.mattermost_send``): Markdown as it is, ``@username`` mentions when
  giving the floor, the outbox key as ``pending_post_id`` (the server posts a repeated one
  once, for 30 seconds; after that the bot's own ``posted`` events say it was made), rules
  pinned.
- **Who and where** (``adapters.mattermost_directory``): names, roles, direct channels.
- **Session** (``adapters.mattermost_session``): login; a session the server ends is renewed
  (password) or named as an invalid token (token). What a failure means, by HTTP status:
  ``adapters.mattermost_errors``.
- **`/atelier` and buttons** (``adapters.mattermost_http``, ``adapters.mattermost_actions``):
  when ``[mattermost] listen`` is set, an HTTP endpoint Mattermost calls; its inputs become the
  same inbound values as typed commands and reactions.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

import requests
from mattermostdriver import Driver
from mattermostdriver.endpoints.posts import Posts

from adapters.mattermost_actions import Integrations
from adapters.mattermost_catchup import CatchUp, ReactionBook
from adapters.mattermost_directory import PREFIX, Directory, RefStore
from adapters.mattermost_http import Endpoint
from adapters.mattermost_markdown import to_mattermost
from adapters.mattermost_receive import EMOJI_NAMES, Receiver
from adapters.mattermost_send import KEY_TO_NAME, Sender
from adapters.mattermost_session import MattermostLoginError, Session
from adapters.mattermost_socket import ClientWebsocket, Listener, driver_options
from bot.config import MattermostSection
from bot.effects import Outward
from bot.inbound import Inbound
from bot.ports import Sink
from bot.texts import render

__all__ = [
    "EMOJI_NAMES",
    "KEY_TO_NAME",
    "PREFIX",
    "ClientWebsocket",
    "MattermostAdapter",
    "MattermostLoginError",
    "driver_options",
]

log = logging.getLogger("atelier.mattermost")

#: how long start-up waits for the websocket before going on (it keeps trying after that)
FIRST_CONNECT_WAIT = 30.0

T = TypeVar("T")


class MattermostAdapter:
    name = "mattermost"

    def __init__(
        self,
        settings: MattermostSection,
        store: RefStore,
        *,
        language: str,
        prefix: str = "!atelier",
    ) -> None:
        self.settings = settings
        self.store = store
        self.language = language
        self.driver = Driver(driver_options(settings))
        self._session = Session(self.driver, settings)
        self._sink: Sink | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.connected = asyncio.Event()  # set while the websocket is up (tests wait on it)
        self.book = ReactionBook(store)
        self._directory = Directory(self.driver, self._rest, store)
        self._catchup = CatchUp(
            self.driver,
            self._rest,
            store,
            self.book,
            emojis=EMOJI_NAMES,
            labelled=self._directory.labelled,
        )
        self._receiver = Receiver(
            self._directory,
            self.book,
            self._catchup,
            store,
            emit=self._emit,
            connected=self.connected,
            platform=self.name,
            prefix=prefix,
            notice=self._not_a_room,
        )
        self.prefix = prefix
        self._sender = Sender(self.driver, self._rest, self._directory, self.book)
        # `/atelier` and buttons, when the config gives the bot an HTTP endpoint
        self.integrations = Integrations(
            settings,
            self._directory,
            store,
            emit=self._emit,
            language=language,
            prefix=prefix,
            platform=self.name,
        )
        self._sender.decorate = self.integrations.props
        self._sender.acknowledge = self.integrations.acknowledge
        self.integrations.fetch = self._read_post
        self._endpoint = Endpoint(settings.listen, self.integrations) if settings.listen else None
        self._listener = Listener(
            self.driver,
            self._receiver.on_message,
            connected=self.connected,
            lost=self._catchup.lost,
            closing=self._closed,
            verify=self._session.verify,
        )

    @property
    def user_id(self) -> str:
        """The bot's user id ("" until logged in)."""
        return self._directory.user_id

    def owns(self, room: str) -> bool:
        return room.startswith(PREFIX)

    def room_name(self, room: str) -> str | None:
        return self._directory.channel_names.get(room.removeprefix(PREFIX))

    async def _rest(self, call: Callable[..., T], *args: Any) -> T:
        """A synchronous driver call, in a worker thread (a new session after a 401). A post
        already made (its answer was lost, and the server forgot its ``pending_post_id``) is
        not made again: ``Receiver.posted``."""
        creates = getattr(call, "__func__", None) is Posts.create_post
        if creates and args and isinstance(args[0], dict):
            made = self._receiver.posted(str(args[0].get("pending_post_id") or ""))
            if made is not None:
                return cast(T, made)
        return await self._session.rest(call, *args)

    async def _read_post(self, post_id: str) -> dict[str, Any]:
        return dict(await self._rest(self.driver.posts.get_post, post_id))

    # -- session -------------------------------------------------------------------------------
    async def connect(self, sink: Sink) -> None:
        self._sink = sink
        await self._receiver.load()
        await self._directory.load()
        await self._catchup.load()
        me = await self._session.login()
        self._directory.user_id = self._catchup.bot = str(me["id"])
        await self.integrations.load()
        if self._endpoint is not None:
            try:
                await self._endpoint.start()
            except OSError as error:  # the port is taken, or the address is not this machine's
                raise MattermostLoginError(
                    f"[mattermost] listen: cannot listen on {self.settings.listen} "
                    f"({error.strerror or error})"
                ) from error
        self._task = asyncio.get_running_loop().create_task(self._listener.run())
        try:  # "listening" should mean it: wait for the websocket's hello
            await asyncio.wait_for(self.connected.wait(), FIRST_CONNECT_WAIT)
        except TimeoutError:
            log.warning("no websocket yet; still trying (missed posts are fetched on connect)")

    def _closed(self) -> bool:
        return self._closing

    async def close(self) -> None:
        self._closing = True
        if self._endpoint is not None:
            await self._endpoint.stop()
        await self.integrations.close()
        await self._catchup.lost()
        self._listener.disconnect()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- inbound and outbound ------------------------------------------------------------------
    async def _emit(self, inbound: Inbound) -> None:
        if self._sink is not None:
            await self._sink(inbound)

    async def _not_a_room(self, channel: str) -> None:
        """Say in a group message that ateliers happen in channels (``Receiver.group_message``)."""
        body = to_mattermost(render(self.language, "group_message.not_a_room", prefix=self.prefix))
        try:
            post = {"channel_id": channel, "message": body}
            await self._rest(self.driver.posts.create_post, post)
        except requests.RequestException as error:
            log.warning("could not answer in group message %s (%s)", channel, type(error).__name__)

    async def perform(self, effect: Outward, *, idempotency_key: str | None = None) -> str | None:
        return await self._sender.perform(effect, idempotency_key)
