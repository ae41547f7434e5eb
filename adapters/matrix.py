"""The Matrix adapter, on matrix-nio: rooms and private rooms in, notices and reactions out.

This module wires the parts together and runs the sync loop:

- **Session** (``adapters.matrix_session``): logs in once (password or access token), then keeps
  the device id and access token in the bot's store, so a restart reuses the same device (and
  its encryption keys, kept in ``[matrix] store_dir``).
- **Sync**: our own loop instead of ``sync_forever`` (which ends on the first exception): each
  batch is handed to the runtime, *then* its ``next_batch`` token is saved, so a restart neither
  replays nor misses anything (the runtime also ignores an event id it has handled). The sync
  filter asks for up to ``TIMELINE_LIMIT`` events per room; when a room's timeline still comes
  back ``limited`` (a burst, a restart, an outage), the gap is fetched with ``/messages`` back to
  the previous batch, page by page, and handled first (``adapters.matrix_gap``). On the very
  first start, room history is not taken as commands. A homeserver that is down is retried with
  backoff (``bot.backoff``); when it is back, the runtime is told so and delivers what it owes.
- **Receiving** (``adapters.matrix_receive``, ``adapters.matrix_events``): events → inbound values.
- **Sending** (``adapters.matrix_send``): ``m.notice`` with HTML ``formatted_body`` and
  ``m.mentions``; the outbox id is the transaction id, so a message resent after a crash is not
  posted twice.
- **Rooms** (``adapters.matrix_rooms``): invitations, and one direct room per person, created
  once and reused.
"""

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from aiohttp import ClientConnectionError
from nio import LocalProtocolError, SyncResponse

from adapters.matrix_gap import GapUnavailable
from adapters.matrix_receive import Receiver
from adapters.matrix_rooms import Rooms
from adapters.matrix_send import Sender
from adapters.matrix_session import MatrixLoginError, Session, encryption_housekeeping
from bot.backoff import Backoff
from bot.config import MatrixSection
from bot.effects import Outward
from bot.inbound import Inbound, Reconnected
from bot.log_safe import failure
from bot.ports import KeyValue, Sink

__all__ = ["MatrixAdapter", "MatrixLoginError", "encryption_housekeeping"]

log = logging.getLogger("atelier.matrix")


class MatrixAdapter:
    name = "matrix"

    def __init__(
        self, settings: MatrixSection, store: KeyValue, *, language: str, key_dir: Path
    ) -> None:
        self.settings = settings
        self.store = store
        self.language = language
        self.key_dir = key_dir
        self.user_id = settings.user_id
        self._session = Session(settings, store, key_dir=key_dir)
        self._rooms = Rooms(self._session, store)
        self._sender = Sender(self._session, self._rooms)
        self._receiver = Receiver(
            self._session,
            self._rooms,
            self._sender,
            store,
            language=language,
            emit=self._emit,
            closing=self._closed,
        )
        self._sink: Sink | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.synced = self._session.synced  # set after every completed sync (tests wait on it)

    @property
    def client(self) -> Any:
        """nio's ``AsyncClient`` once connected (None before)."""
        return self._session.client

    def owns(self, room: str) -> bool:
        return room.startswith("!") or room == "matrix:direct"

    def room_name(self, room: str) -> str | None:
        known = self.client.rooms.get(room) if self.client is not None else None
        return str(known.display_name) if known is not None else None

    def _may_invite(self, user: str) -> bool:
        return self._rooms.may_invite(user)

    # -- session -------------------------------------------------------------------------------
    async def connect(self, sink: Sink) -> None:
        self._sink = sink
        await self._session.load()
        await self._rooms.load()
        await self._session.login()
        first = await self._session.first_sync()
        await self._receiver.handle(first, since=self._session.since)
        await encryption_housekeeping(self.client)  # our keys, before anyone encrypts for us
        await self._session.save_token(first.next_batch)
        self._task = asyncio.get_running_loop().create_task(self._sync_loop())

    async def _sync_loop(self) -> None:
        backoff = Backoff()
        down = False
        while not self._closed():
            try:
                answer = await self._session.sync()
            except (ClientConnectionError, TimeoutError, LocalProtocolError) as error:
                if not down:
                    log.warning("lost the homeserver (%s); reconnecting", type(error).__name__)
                down = True
                await asyncio.sleep(backoff.next())
                continue
            if not isinstance(answer, SyncResponse):
                await self._session.sync_failed(answer, backoff)
                continue
            backoff.reset()
            try:
                if down:
                    down = False
                    log.warning("homeserver back; delivering what was owed")
                    await self._emit(Reconnected(platform=self.name))
                await self._receiver.handle(answer, since=self._session.since)
                await encryption_housekeeping(self.client)
            except GapUnavailable:
                return  # closing before a gap was read: the token stays before it
            except Exception as error:  # never let one bad event stop the bot
                log.error("could not handle a sync batch: %s", failure(error))
            await self._session.save_token(answer.next_batch)

    def _closed(self) -> bool:
        return self._closing

    async def close(self) -> None:
        self._closing = True
        self._rooms.cancel_joins()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._session.close()

    # -- inbound and outbound ------------------------------------------------------------------
    async def _emit(self, inbound: Inbound) -> None:
        if self._sink is not None:
            await self._sink(inbound)

    async def perform(self, effect: Outward, *, idempotency_key: str | None = None) -> str | None:
        return await self._sender.perform(effect, idempotency_key)
