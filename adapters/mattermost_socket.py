"""The Mattermost event stream: one websocket, kept open, reconnected with the shared backoff.

mattermostdriver's own ``Websocket`` blocks the loop in ``init_websocket``
(``run_until_complete``), builds a *server* TLS context (broken over ``wss://`` on Python ≥
3.10, upstream #115) and reconnects on its own after a clean close. ``ClientWebsocket`` takes its
place (same options and token, same authentication challenge) with a client TLS context, and
connects once per call; ``Listener`` owns the connection: connect, reconnect with backoff
(``bot.backoff``), and tell the adapter each time it is lost.
"""

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import websockets

from bot.backoff import Backoff
from bot.config import MattermostSection

__all__ = [
    "AuthenticationRefused",
    "ClientWebsocket",
    "Listener",
    "client_tls_context",
    "driver_options",
]

log = logging.getLogger("atelier.mattermost")

#: what receives each websocket message (a JSON text)
Handler = Callable[[str], Awaitable[None]]
#: how often a connected websocket checks that the bot's token is still the one it used
WATCH_TICK = 1.0
#: how often a connected websocket asks the REST API whether the session holds, in seconds
VERIFY_EVERY = 60.0


class AuthenticationRefused(ConnectionError):
    """The websocket's authentication challenge was refused: the server closed the connection
    without a word (app/platform/websocket_router.go ``ServeWebSocket``: a token with no
    session), or, from some proxies and older servers, answered ``FAIL``."""


def driver_options(settings: MattermostSection) -> dict[str, Any]:
    """The driver's options (REST and websocket) for the configured server and credentials."""
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


def client_tls_context(verify: bool | str) -> ssl.SSLContext:
    """A *client* context (the driver builds a server one), trusting ``verify`` if a CA file."""
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=verify if isinstance(verify, str) else None
    )
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class ClientWebsocket:
    """In place of the driver's websocket: connected once per call, with a client TLS context.

    ``connect`` authenticates (the driver's own challenge), then hands every message to the
    handler until the connection ends, and returns; reconnecting is the caller's decision.
    """

    def __init__(self, options: dict[str, Any], token: str) -> None:
        self.options = options
        self._token = token
        self._alive = False
        self.socket: Any = None

    async def connect(self, event_handler: Handler) -> None:
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
                await event_handler(_text(message))

    async def _authenticate_websocket(self, websocket: Any, event_handler: Handler) -> None:
        """The authentication challenge, then every message up to ``hello`` (seq 0)."""
        challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": self._token}}
        await websocket.send(json.dumps(challenge))
        while True:
            try:
                message = _text(await websocket.recv())
            except websockets.ConnectionClosed:
                raise AuthenticationRefused("websocket closed at authentication") from None
            status = json.loads(message)
            if status.get("status") == "FAIL":
                raise AuthenticationRefused("websocket authentication refused")
            await event_handler(message)
            if status.get("event") == "hello" and status.get("seq") == 0:
                return

    def disconnect(self) -> None:
        self._alive = False
        socket = self.socket
        if socket is not None:
            asyncio.get_running_loop().create_task(socket.close())


def _text(message: str | bytes) -> str:
    return message if isinstance(message, str) else message.decode()


class Listener:
    """Keeps one websocket open while the adapter runs.

    After each connection ends (or fails), ``lost`` is awaited, then the next connection is
    tried: at once the first time, then after the shared backoff (reset by a connection that
    ended cleanly).
    """

    def __init__(
        self,
        driver: Any,
        on_message: Handler,
        *,
        connected: asyncio.Event,
        lost: Callable[[], Awaitable[None]],
        closing: Callable[[], bool],
        verify: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.driver = driver
        self.on_message = on_message
        self.connected = connected
        self.lost = lost
        self.closing = closing
        self.verify = verify  # does the session hold? (a 401 renews it or names the token)
        self.socket: ClientWebsocket | None = None

    async def run(self) -> None:
        """Keep one websocket open; after each (re)connection the adapter catches up."""
        backoff = Backoff()
        first = True
        while not self.closing():
            token = self.driver.client.token
            self.socket = ClientWebsocket(self.driver.options, token)
            watch = asyncio.get_running_loop().create_task(self._watch(self.socket, token))
            failed: str | None = None
            try:
                await self.socket.connect(self.on_message)
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except AuthenticationRefused as error:
                failed = type(error).__name__
                if self.verify is not None:
                    await self.verify()
            except Exception as error:
                failed = type(error).__name__
            finally:
                watch.cancel()
            wait = 0.0 if first else backoff.next()
            first = False
            if failed is not None:
                log.warning("websocket lost (%s); reconnecting in %.0f s", failed, wait)
            self.connected.clear()
            await self.lost()
            if self.closing():
                return
            await asyncio.sleep(wait)

    async def _watch(self, socket: ClientWebsocket, token: str) -> None:
        """While a websocket runs: one whose session ended stays open but silent (the server
        sends it nothing: app/platform/web_conn.go ``ShouldSendEvent``, "Do not send event if
        WebConn does not have a session"). So ask the REST API now and then whether the
        session holds, and reconnect as soon as the bot holds a new one (renewed here or by
        any request that met a 401); the catch-up then brings what the silence hid."""
        waited = 0.0
        while True:
            await asyncio.sleep(WATCH_TICK)
            waited += WATCH_TICK
            if self.verify is not None and waited >= VERIFY_EVERY:
                waited = 0.0
                await self.verify()
            if self.driver.client.token != token:
                log.warning("new Mattermost session: reconnecting the websocket")
                socket.disconnect()
                return

    def disconnect(self) -> None:
        if self.socket is not None:
            self.socket.disconnect()
