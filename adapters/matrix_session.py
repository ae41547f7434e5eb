"""The bot's Matrix session: login, device, the sync token, and waiting for the homeserver.

The bot logs in once (password or access token), then keeps the device id and access token in
its key-value store, so a restart reuses the same device (and its encryption keys, kept in
``[matrix] key_dir``: a directory 0700, files 0600, sealed with a pickle key of this
installation: ``Session.pickle_key``). The sync token (``next_batch``) is saved only after its
batch was handed to the runtime, so a restart neither replays nor misses anything.
"""

import asyncio
import logging
import os
import secrets
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientConnectionError
from nio import AsyncClient, AsyncClientConfig, LoginError, SyncResponse, WhoamiResponse

from adapters.matrix_gap import SYNC_FILTER
from bot.backoff import Backoff
from bot.config import MatrixSection
from bot.ports import DeliveryError, KeyValue

__all__ = [
    "PERMANENT",
    "SYNC_TIMEOUT_MS",
    "MatrixLoginError",
    "Session",
    "encryption_housekeeping",
    "owner_only",
    "refusal",
    "retrying",
]

log = logging.getLogger("atelier.matrix")

SYNC_TIMEOUT_MS = 30_000
#: store keys
TOKEN, DEVICE, NEXT_BATCH = "matrix.access_token", "matrix.device_id", "matrix.next_batch"
#: nio's pickle key when none is given: a constant, kept only for key stores sealed with it
LEGACY_PICKLE_KEY = "DEFAULT_KEY"
#: the store key of this installation's pickle key, and the variable that may give one
PICKLE_KEY, PICKLE_KEY_ENV = "matrix.pickle_key", "ATELIER_MATRIX_PICKLE_KEY"
#: error codes that never succeed on a retry, even when no HTTP status is known
PERMANENT = frozenset(
    {"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_BAD_JSON", "M_TOO_LARGE", "M_NOT_JSON"}
)

T = TypeVar("T")


class MatrixLoginError(Exception):
    """The homeserver refused the bot's credentials (a configuration problem)."""


def refusal(answer: Any, what: str, *, may_log_in_again: bool = False) -> DeliveryError:
    """The ``DeliveryError`` for a homeserver's error answer (client-server API, "Standard
    error response": the HTTP status says whether to try again).

    ``M_LIMIT_EXCEEDED`` (429) waits ``retry_after_ms``; any other 4xx (``M_FORBIDDEN``,
    ``M_TOO_LARGE``, ``M_NOT_FOUND``, ``M_UNKNOWN_TOKEN``…) is permanent: retrying the same
    request cannot succeed. Except ``M_UNKNOWN_TOKEN`` when the bot has a password: the sync
    loop logs in again (``Session.sync_failed``), and then the message can go. 5xx and
    answers without a status are transient.
    """
    status = getattr(getattr(answer, "transport_response", None), "status", None)
    code = getattr(answer, "status_code", None)
    asked = getattr(answer, "retry_after_ms", None)
    if code == "M_LIMIT_EXCEEDED" or status == 429:
        return DeliveryError("rate limited", retry_after=(asked or 1000) / 1000)
    if code == "M_UNKNOWN_TOKEN" and may_log_in_again:
        return DeliveryError(f"{what}: logged out, logging in again")
    client_error = isinstance(status, int) and 400 <= status < 500
    if client_error or code in PERMANENT:
        return DeliveryError(f"{what}: {code} ({status})", permanent=True)
    return DeliveryError(f"{what}: {code} ({status})")


def owner_only(key_dir: Path, *, warn: bool = False) -> None:
    """The key directory 0700 and its files 0600 (nio creates them with the process umask);
    with ``warn`` (at start-up), a warning when they were open to others."""
    opened = []
    for path in [key_dir, *key_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode & 0o077:
            opened.append(path.name)
        if mode != wanted:
            path.chmod(wanted)
    if opened and warn:
        log.warning("made the Matrix key directory %s owner-only (it was not)", key_dir)


async def retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Call until the homeserver answers at all (it may still be starting)."""
    backoff = Backoff()
    while True:
        try:
            return await call()
        except (ClientConnectionError, TimeoutError) as error:
            delay = backoff.next()
            log.warning(
                "homeserver unreachable (%s); retrying in %.0f s", type(error).__name__, delay
            )
            await asyncio.sleep(delay)


async def encryption_housekeeping(client: Any) -> None:
    """What ``sync_forever`` does between syncs: upload, query and claim keys, send to-device."""
    if not client.olm:
        return
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


class Session:
    """The nio client of one bot account, and the sync token it has reached."""

    def __init__(self, settings: MatrixSection, store: KeyValue, *, key_dir: Path) -> None:
        self.settings = settings
        self.store = store
        self.key_dir = key_dir
        self.user_id = settings.user_id
        self.client: Any = None  # nio's AsyncClient, once logged in
        self.since: str | None = None
        self.synced = asyncio.Event()  # set after every completed sync (tests wait on it)

    def require(self) -> Any:
        """The logged-in client (the adapter is connected)."""
        assert self.client is not None, "the Matrix adapter is not connected"
        return self.client

    def can_log_in(self) -> bool:
        """Whether a logged-out session can start a new one by itself (it has the password)."""
        return bool(self.settings.password)

    async def load(self) -> None:
        self.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        owner_only(self.key_dir, warn=True)
        self.since = await self.store.get(NEXT_BATCH)

    async def pickle_key(self, device: str | None) -> str:
        """The key nio encrypts the key store with (its "pickle key"), one per installation.

        From ``ATELIER_MATRIX_PICKLE_KEY`` when set; else generated at random the first time
        and kept in the bot's store (not beside the keys it protects). A key store created
        before the bot had its own key was sealed with nio's constant ``DEFAULT_KEY``: it is
        kept (its device keeps its keys), with a warning saying how to leave it.
        """
        given = os.environ.get(PICKLE_KEY_ENV)
        if given:
            return given
        stored = await self.store.get(PICKLE_KEY)
        if stored:
            return stored
        legacy = bool(device) and (self.key_dir / f"{self.user_id}_{device}.db").exists()
        if legacy:
            log.warning(
                "the Matrix key store in %s was sealed with nio's default key; to seal it with "
                "a key of this installation, delete that folder and the bot's Matrix session "
                "(the bot then logs in as a new device)",
                self.key_dir,
            )
        key = LEGACY_PICKLE_KEY if legacy else secrets.token_urlsafe(32)
        await self.store.put(PICKLE_KEY, key)
        return key

    async def login(self) -> None:
        token = await self.store.get(TOKEN)
        device = await self.store.get(DEVICE)
        config = AsyncClientConfig(
            pickle_key=await self.pickle_key(device),
            max_limit_exceeded=0,
            max_timeouts=0,
            request_timeout=SYNC_TIMEOUT_MS / 1000 + 15,
            encryption_enabled=True,
            store_sync_tokens=False,
        )
        client = self.client = AsyncClient(
            self.settings.homeserver,
            self.user_id,
            device_id=device,
            store_path=str(self.key_dir),
            config=config,
        )
        if token and device:
            client.restore_login(self.user_id, device, token)
            owner_only(self.key_dir)
            return
        if self.settings.access_token:
            client.access_token = self.settings.access_token
            who = await retrying(client.whoami)
            if not isinstance(who, WhoamiResponse) or not who.device_id:
                raise MatrixLoginError(f"[matrix] access_token: refused by the homeserver ({who})")
            client.restore_login(self.user_id, who.device_id, self.settings.access_token)
        else:
            answer = await retrying(
                lambda: client.login(self.settings.password, device_name=self.settings.device_name)
            )
            if isinstance(answer, LoginError):
                raise MatrixLoginError(
                    f"[matrix] password: the homeserver refused the login of {self.user_id} "
                    f"({answer.message})"
                )
        await self.store.put(TOKEN, client.access_token)
        await self.store.put(DEVICE, client.device_id)
        owner_only(self.key_dir)

    async def first_sync(self) -> Any:
        """Full state (so room members and creators are known), from the saved token if any."""
        backoff = Backoff()
        while True:
            answer = await retrying(  # (a new login may replace the client meanwhile)
                lambda: self.require().sync(
                    timeout=0, since=self.since, full_state=True, sync_filter=SYNC_FILTER
                )
            )
            if isinstance(answer, SyncResponse):
                owner_only(self.key_dir)  # (the key store may have grown a journal)
                return answer
            await self.sync_failed(answer, backoff)

    async def sync(self) -> Any:
        """One long-polling sync from the saved token (raises when the homeserver is down)."""
        return await self.require().sync(
            timeout=SYNC_TIMEOUT_MS, since=self.since, sync_filter=SYNC_FILTER
        )

    async def sync_failed(self, answer: Any, backoff: Backoff) -> None:
        """A sync refused: log in again if the session was logged out, else wait and retry."""
        if answer.status_code == "M_UNKNOWN_TOKEN":
            # the stored session was logged out elsewhere: start a new one with the password
            await self.store.put(TOKEN, "")
            await self.store.put(DEVICE, "")
            if not self.settings.password:
                raise MatrixLoginError("[matrix] access_token: the homeserver no longer accepts it")
            await self.login()
            return
        asked = getattr(answer, "retry_after_ms", None)
        delay = backoff.next(asked / 1000 if asked else None)
        log.warning("sync refused (%s); retrying in %.0f s", answer.status_code, delay)
        await asyncio.sleep(delay)

    async def save_token(self, token: str) -> None:
        self.since = token
        await self.store.put(NEXT_BATCH, token)
        self.synced.set()
        self.synced.clear()

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
