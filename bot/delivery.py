"""Delivery: the outbox performed on the platforms, in order per destination.

A room's effects are performed in the order the engine gave them, per destination (the room,
or one person privately): someone the platform cannot reach now holds up their own messages
only. A failure is retried with backoff (or after the delay a rate limit asks); an effect the
platform refuses for good is not retried, and the engine hears of it (``Undeliverable``).
Delivery marks go to the store, written with its next transaction.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence

from bot.backoff import delay_after
from bot.effects import Effect, PostFile, React, Say, SayDirect
from bot.events import Undeliverable
from bot.ids import RoomId
from bot.ports import Adapter, DeliveryError
from bot.store import OutboxItem, Store

__all__ = ["MAX_BACKOFF", "Delivery"]

log = logging.getLogger(__name__)

#: the longest wait between two tries of one effect, in seconds
MAX_BACKOFF = 60.0


class Delivery:
    def __init__(
        self,
        store: Store,
        adapters: Sequence[Adapter],
        clock: Callable[[], float],
        *,
        report: Callable[[Undeliverable], Coroutine[object, object, None]],
        spawn: Callable[[Coroutine[object, object, None]], None],
    ) -> None:
        self.store = store
        self.adapters = list(adapters)
        self.clock = clock
        self._report = report
        self._spawn = spawn
        self._locks: dict[str, asyncio.Lock] = {}
        self._retry_handles: dict[str, asyncio.TimerHandle] = {}
        #: the last outbox id delivered, by room and destination ("" the room, else a user id)
        self._delivered_up_to: dict[tuple[str, str], int] = {}
        self._closing = False

    def stop(self) -> None:
        self._closing = True
        for handle in self._retry_handles.values():
            handle.cancel()

    def _lock(self, room: str) -> asyncio.Lock:
        lock = self._locks.get(room)
        if lock is None:
            lock = self._locks[room] = asyncio.Lock()
        return lock

    def adapter_named(self, name: str) -> Adapter | None:
        return next((a for a in self.adapters if a.name == name), None)

    def adapter_for(self, room: str) -> Adapter | None:
        for adapter in self.adapters:
            if adapter.owns(room):
                return adapter
        return None

    async def send_now(self, platform: str, effect: SayDirect) -> None:
        adapter = self.adapter_named(platform)
        if adapter is not None:
            try:
                await adapter.perform(effect)
            except DeliveryError:
                log.warning("could not answer %s now", effect.user)

    async def deliver_owed(self, platform: str) -> None:
        """The platform is back: retry its rooms' pending effects now, in order."""
        adapter = self.adapter_named(platform)
        rooms = {item.room for item in await self.store.pending()}
        for room in sorted(rooms):
            if adapter is not None and adapter.owns(room):
                await self.store.retry_now(room)
                handle = self._retry_handles.pop(room, None)
                if handle is not None:
                    handle.cancel()
                await self.deliver(room)

    async def deliver(self, room: str, pending: list[OutboxItem] | None = None) -> None:
        """Perform the room's pending effects in order; stop at the first failure and retry.

        ``pending`` is the outbox as read with the decision; items another pass delivered
        meanwhile are skipped (outbox ids grow, and a room's are delivered in order).
        """
        async with self._lock(room):
            done: list[tuple[int, str | None, str | None]] = []
            try:
                await self._deliver_pending(room, done, pending)
            finally:
                # written with the next transaction (or soon after): if the bot dies before,
                # those effects are performed again at restart, with the same idempotency keys
                # (Matrix and Mattermost then post them once)
                if done:
                    self.store.delivered(room, done)

    async def _deliver_pending(
        self,
        room: str,
        done: list[tuple[int, str | None, str | None]],
        pending: list[OutboxItem] | None,
    ) -> None:
        """Order is kept per destination (the room, or one person privately): a person the
        platform cannot reach now holds up their own messages only."""
        items = pending if pending is not None else await self.store.pending(room)
        waiting: set[str] = set()  # destinations held up in this pass
        soonest: float | None = None
        for item in items:
            effect = item.effect
            where = _destination(effect)
            if item.id <= self._delivered_up_to.get((room, where), 0):
                continue  # a concurrent pass delivered it
            if where in waiting:
                continue
            if self._closing:
                return
            now = self.clock()
            if item.next_try > now:
                waiting.add(where)
                soonest = min(soonest or item.next_try - now, item.next_try - now)
                continue
            adapter = self.adapter_for(room)
            if adapter is None or not isinstance(effect, Say | SayDirect | React | PostFile):
                log.error("no adapter for room %s; dropping %s", room, type(effect).__name__)
                self._done(room, where, item, done, None)
                continue
            try:
                message_id = await adapter.perform(effect, idempotency_key=f"atelier-{item.id}")
            except DeliveryError as error:
                if error.permanent:
                    log.error("outbox item %s (%s) refused for good: %s", item.id, room, error)
                    self._done(room, where, item, done, None)
                    await self._report_undeliverable(room, effect)
                    continue
                delay = error.retry_after or delay_after(item.attempts, ceiling=MAX_BACKOFF)
                log.warning("delivery to %s failed (%s); retry in %.1fs", room, error, delay)
                await self.store.failed(item.id, now + delay)
                if error.retry_after is not None or where == "":
                    self._retry_later(room, delay)  # rate limited, or the room itself: wait
                    return
                waiting.add(where)
                soonest = min(soonest or delay, delay)
                continue
            self._done(room, where, item, done, message_id)
        if soonest is not None:
            self._retry_later(room, soonest)

    def _done(
        self,
        room: str,
        where: str,
        item: OutboxItem,
        done: list[tuple[int, str | None, str | None]],
        message_id: str | None,
    ) -> None:
        ref = item.effect.ref if isinstance(item.effect, Say) and message_id else None
        done.append((item.id, message_id, ref))
        self._delivered_up_to[(room, where)] = item.id

    async def _report_undeliverable(self, room: str, effect: Effect) -> None:
        """Tell the engine (it tells the facilitator); a report that fails is only logged."""
        if isinstance(effect, React):
            return  # a missing ✅ under someone's message is no news
        user = effect.user if isinstance(effect, SayDirect | PostFile) else None
        key = effect.key if isinstance(effect, Say | SayDirect | PostFile) else ""
        self._spawn(self._report(Undeliverable(room=RoomId(room), user=user, key=key)))

    def _retry_later(self, room: str, delay: float) -> None:
        if room in self._retry_handles and not self._retry_handles[room].cancelled():
            self._retry_handles[room].cancel()
        loop = asyncio.get_running_loop()

        def again() -> None:
            self._retry_handles.pop(room, None)
            if not self._closing:
                self._spawn(self.deliver(room))

        self._retry_handles[room] = loop.call_later(delay, again)


def _destination(effect: Effect) -> str:
    """Where an effect goes, for ordering: ``""`` for the room, the user id for a private one."""
    if isinstance(effect, SayDirect | PostFile):
        return effect.user or ""
    return ""
