"""The bot's Mattermost session: logging in, and what to do when the server ends it.

A session ends (an administrator revokes it, it expires, the password account's session
times out): the next request answers 401 (web/handlers.go ``ServeHTTP``:
``api.context.session_expired.app_error``), which mattermostdriver raises as
``NoAccessTokenProvided``, and the server closes a websocket at its authentication challenge
(app/platform/websocket_router.go); the REST API then says whether the session ended.

- **A password account** logs in again (once for everyone waiting), and the request is made
  again with the new token; the websocket uses it at its next connection.
- **An access token** cannot be renewed by the bot: it says clearly, in its log, that the token
  is invalid and what to do (at most once every ``TOKEN_WARNING_EVERY`` seconds), and
  ``atelier-bot check-config`` says it too (``check_login``).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters, NoAccessTokenProvided

from adapters.mattermost_socket import driver_options
from bot.backoff import Backoff
from bot.config import MattermostSection

__all__ = ["TOKEN_WARNING_EVERY", "MattermostLoginError", "Session", "check_login", "refused"]

log = logging.getLogger("atelier.mattermost")

T = TypeVar("T")

#: an invalid token is logged at most once in this many seconds
TOKEN_WARNING_EVERY = 300.0


class MattermostLoginError(Exception):
    """The server refused the bot's credentials (a configuration problem)."""


def refused(settings: MattermostSection) -> str:
    """What to tell the administrator when the server refuses the bot's credentials."""
    if settings.token:
        return (
            "[mattermost] token: the server refused the bot's access token (401): it is "
            "invalid, revoked or expired. Create a new token for the bot account (System "
            "Console → Integrations → Bot Accounts) and set it as [mattermost] token or "
            "ATELIER_MATTERMOST_TOKEN."
        )
    return (
        "[mattermost] password: the server refused the bot's login_id and password (401); "
        "check them, and that the account is active."
    )


def check_login(settings: MattermostSection, *, timeout: float = 10.0) -> str | None:
    """Log in once (``atelier-bot check-config``): None when the server accepts the bot's
    credentials, else what is wrong. Raises ``requests.RequestException`` when the server
    cannot be reached or answers something else."""
    driver = Driver({**driver_options(settings), "request_timeout": timeout})
    try:
        driver.login()
    except (NoAccessTokenProvided, InvalidOrMissingParameters):
        return refused(settings)
    return None


class Session:
    """Logs the driver in, and again when the server ends the session (password accounts)."""

    def __init__(self, driver: Driver, settings: MattermostSection) -> None:
        self.driver = driver
        self.settings = settings
        self._lock = asyncio.Lock()
        self._generation = 0  # how many times the bot logged in
        self._warned = -TOKEN_WARNING_EVERY

    async def login(self) -> dict[str, Any]:
        """Log in, waiting for a server that cannot be reached (it may still be starting)."""
        backoff = Backoff()
        while True:
            try:
                answer = dict(await asyncio.to_thread(self.driver.login))
                self._generation += 1
                return answer
            except (NoAccessTokenProvided, InvalidOrMissingParameters) as error:
                raise MattermostLoginError(refused(self.settings)) from error
            except requests.RequestException as error:
                delay = backoff.next()
                log.warning(
                    "Mattermost unreachable (%s); retrying in %.0f s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)

    async def rest(self, call: Callable[..., T], *args: Any) -> T:
        """A synchronous driver call, in a worker thread; after a 401, once more with a new
        session (password accounts), or the token's fault logged (token accounts)."""
        generation = self._generation
        try:
            return await asyncio.to_thread(call, *args)
        except NoAccessTokenProvided:
            if not await self.renew(generation):
                raise
        return await asyncio.to_thread(call, *args)

    async def verify(self) -> None:
        """The websocket's login was refused: ask the REST API whether the session holds (a
        401 renews it, or names the token as invalid); a server that cannot be reached will be
        asked again at the next refusal."""
        with contextlib.suppress(requests.RequestException):
            await self.rest(self.driver.users.get_user, "me")

    async def renew(self, generation: int | None = None) -> bool:
        """The server ended the session seen at ``generation`` (None: the current one): log in
        again, once for everyone who saw it end. False when the bot cannot (a token, or a
        password the server refuses now)."""
        seen = self._generation if generation is None else generation
        if self.settings.token:
            now = time.monotonic()
            if now - self._warned >= TOKEN_WARNING_EVERY:
                self._warned = now
                log.error("%s", refused(self.settings))
            return False
        async with self._lock:
            if self._generation != seen:
                return True  # someone else logged in meanwhile
            try:
                await asyncio.to_thread(self.driver.login)
            except (NoAccessTokenProvided, InvalidOrMissingParameters):
                log.error("%s", refused(self.settings))
                return False
            except requests.RequestException as error:
                log.warning("cannot log in again to Mattermost (%s)", type(error).__name__)
                return False
            self._generation += 1
            log.warning("the Mattermost session ended; logged in again")
            return True
