"""The async runtime: events in order per room, decide, persist, then act.

For each inbound event: find the atelier (a private message is routed to the sender's atelier,
a reaction to the bot's message it targets, known in memory); ``decide``; store what changed of
the state, the inputs, the outgoing effects and the event's platform id in one transaction —
which stores nothing if that id was already handled; arm the timers (the deadlines live in the
state, and are re-armed from it at start-up); deliver the outbox in order. An effect
that fails stays in the outbox and is retried with backoff, and later effects of that room wait
behind it.
"""

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from typing import assert_never

from bot.backoff import delay_after
from bot.commands import normalize
from bot.effects import CancelTimer, Effect, React, Record, Say, SayDirect, StartTimer
from bot.engine import Engine
from bot.events import (
    DirectMessage,
    Event,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
    Undeliverable,
)
from bot.ids import RoomId
from bot.inbound import DirectIn, Inbound, ReactionIn, ReactionOut, Reconnected
from bot.ports import Adapter, DeliveryError
from bot.scheduler import TimerScheduler
from bot.state import AtelierState
from bot.store import OutboxItem, Store
from bot.texts import render

__all__ = ["Runtime"]

log = logging.getLogger("atelier.runtime")

MAX_BACKOFF = 60.0


def _log_failure(what: str, error: Exception) -> None:
    """Where it failed, never what was written: an exception's message may quote a participant
    (a validation error echoes its input), so the log has its class and the frames only."""
    where = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s: %s\n%s", what, type(error).__name__, where)


class Runtime:
    def __init__(
        self,
        engine: Engine,
        store: Store,
        adapters: Sequence[Adapter],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.store = store
        self.adapters = list(adapters)
        self.clock = clock
        self.states: dict[str, AtelierState] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._delivery_locks: dict[str, asyncio.Lock] = {}
        self._retry_handles: dict[str, asyncio.TimerHandle] = {}
        #: the last outbox id delivered, by room and destination ("" the room, else a user id)
        self._delivered_up_to: dict[tuple[str, str], int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduler = TimerScheduler(self._on_timer, clock)
        self._closing = False
        self.handled = 0
        self.changed = asyncio.Event()

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Reload ateliers, re-arm every pending deadline, connect, then resend what was owed.

        The adapters connect first: an effect owed from before a stop can only be sent once
        its platform is connected (a room's later effects still wait behind it, in order).
        """
        self.states = await self.store.active_ateliers()
        self._scheduler.start()
        for room, state in self.states.items():
            for name, at in state.timers.items():
                self._scheduler.arm(room, name, at)
        for adapter in self.adapters:
            await adapter.connect(self.receive)
        for room in {item.room for item in await self.store.pending()}:
            await self._deliver(room)

    async def stop(self) -> None:
        self._closing = True
        self._scheduler.shutdown()
        for handle in self._retry_handles.values():
            handle.cancel()
        for adapter in self.adapters:
            await adapter.close()
        await self.store.flush()  # the last delivery marks

    def _lock(self, locks: dict[str, asyncio.Lock], room: str) -> asyncio.Lock:
        lock = locks.get(room)
        if lock is None:
            lock = locks[room] = asyncio.Lock()
        return lock

    # -- inbound -------------------------------------------------------------------------------
    async def receive(self, inbound: Inbound) -> None:
        """The adapters' sink. Never raises: a bad event is logged, not fatal."""
        try:
            await self._receive(inbound)
        except Exception as error:
            _log_failure(f"could not handle a {type(inbound).__name__}", error)

    async def _receive(self, inbound: Inbound) -> None:
        match inbound:
            case DirectIn():
                await self._receive_direct(inbound)
            case ReactionIn():
                ref = await self.store.ref_for(inbound.room, inbound.message_id)
                if ref is None:
                    return  # a reaction to something that is not one of the bot's messages
                event: Event = ReactionAdded(
                    room=inbound.room,
                    sender=inbound.sender,
                    sender_name=inbound.sender_name,
                    ref=ref,
                    key=inbound.key,
                    event_id=inbound.event_id,
                )
                await self.process(event)
            case ReactionOut():
                ref = await self.store.ref_for(inbound.room, inbound.message_id)
                if ref is not None:
                    await self.process(
                        ReactionRemoved(
                            room=inbound.room,
                            sender=inbound.sender,
                            ref=ref,
                            key=inbound.key,
                            event_id=inbound.event_id,
                        )
                    )
            case Reconnected():
                await self._deliver_owed(inbound.platform)
            case MessagePosted() | MessageEdited() | MessageRemoved() | MemberLeft():
                await self.process(inbound)
            case _:
                assert_never(inbound)

    async def _receive_direct(self, inbound: DirectIn) -> None:
        adapter = self._adapter_named(inbound.platform)
        rooms = [
            room
            for room, state in self.states.items()
            if not state.finished
            and (adapter is None or adapter.owns(room))
            and state.answers_to(inbound.sender)
        ]
        text = inbound.text
        before_hint, room_hint = _split_room_hint(inbound.text)
        if room_hint is not None and len(rooms) > 1:
            # "… dans salon" names a room only for someone in several ateliers, and only when
            # it names one of theirs: "dans l'association" ends a problem, it is kept whole
            hint = normalize(room_hint)
            named = [
                room
                for room in rooms
                if hint in normalize(room) or hint in normalize(self._room_label(room))
            ]
            if named:
                rooms, text = named, before_hint
        if len(rooms) > 1:
            lang = self.engine.settings.language
            listing = ", ".join(f"« {self._room_label(room)} »" for room in rooms)
            body = render(lang, "dm.which_room", rooms=listing)
            await self._send_now(
                inbound.platform,
                SayDirect(room=RoomId(""), user=inbound.sender, key="dm.which_room", body=body),
            )
            return
        room = rooms[0] if rooms else f"{inbound.platform}:direct"
        await self.process(
            DirectMessage(
                room=RoomId(room),
                sender=inbound.sender,
                sender_name=inbound.sender_name,
                text=text,
                event_id=inbound.event_id,
            )
        )

    def _room_label(self, room: str) -> str:
        """The room's name where its platform knows it, else its id."""
        adapter = self._adapter_for(room)
        return (adapter.room_name(room) if adapter is not None else None) or room

    async def _on_timer(self, room: str, name: str, at: float) -> None:
        try:
            await self.process(TimerFired(room=RoomId(room), name=name, at=at))
        except Exception as error:
            _log_failure(f"timer {name} of {room} failed", error)

    async def process(self, event: Event) -> None:
        """Decide on one event, persist, then perform. Events of one room run one at a time."""
        room = event.room
        event_id = getattr(event, "event_id", None)
        async with self._lock(self._locks, room):
            before = self.states.get(room)
            now = self.clock()
            after, effects = self.engine.decide(before, event, now)
            pending = await self.store.commit_decision(
                room=room,
                state=after,
                event_id=event_id,
                effects=effects,
                now=now,
            )
            if pending is None:
                return  # handled before (a platform sent it again): the decision is dropped
            if after is not None and not after.finished:
                self.states[room] = after
            else:
                self.states.pop(room, None)
            self._arm(effects)
            self.handled += 1
        await self._deliver(room, pending)
        self.changed.set()

    def _arm(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case StartTimer():
                    self._scheduler.arm(effect.room, effect.name, effect.at)
                case CancelTimer():
                    self._scheduler.cancel(effect.room, effect.name)
                case Say() | SayDirect() | React() | Record():
                    pass  # the store has kept them (outbox, inputs); delivered below
                case _:
                    assert_never(effect)

    # -- outbound ------------------------------------------------------------------------------
    def _adapter_named(self, name: str) -> Adapter | None:
        return next((a for a in self.adapters if a.name == name), None)

    def _adapter_for(self, room: str) -> Adapter | None:
        for adapter in self.adapters:
            if adapter.owns(room):
                return adapter
        return None

    async def _send_now(self, platform: str, effect: SayDirect) -> None:
        adapter = self._adapter_named(platform)
        if adapter is not None:
            try:
                await adapter.perform(effect)
            except DeliveryError:
                log.warning("could not answer %s now", effect.user)

    async def _deliver_owed(self, platform: str) -> None:
        """The platform is back: retry its rooms' pending effects now, in order."""
        adapter = self._adapter_named(platform)
        rooms = {item.room for item in await self.store.pending()}
        for room in sorted(rooms):
            if adapter is not None and adapter.owns(room):
                await self.store.retry_now(room)
                handle = self._retry_handles.pop(room, None)
                if handle is not None:
                    handle.cancel()
                await self._deliver(room)

    async def _deliver(self, room: str, pending: list[OutboxItem] | None = None) -> None:
        """Perform the room's pending effects in order; stop at the first failure and retry.

        ``pending`` is the outbox as read with the decision; items another pass delivered
        meanwhile are skipped (outbox ids grow, and a room's are delivered in order).
        """
        async with self._lock(self._delivery_locks, room):
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
            adapter = self._adapter_for(room)
            if adapter is None or not isinstance(effect, Say | SayDirect | React):
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
        user = effect.user if isinstance(effect, SayDirect) else None
        key = effect.key if isinstance(effect, Say | SayDirect) else ""
        task = asyncio.get_running_loop().create_task(
            self.process(Undeliverable(room=RoomId(room), user=user, key=key))
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _retry_later(self, room: str, delay: float) -> None:
        if room in self._retry_handles and not self._retry_handles[room].cancelled():
            self._retry_handles[room].cancel()
        loop = asyncio.get_running_loop()

        def again() -> None:
            self._retry_handles.pop(room, None)
            if not self._closing:
                task = loop.create_task(self._deliver(room))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        self._retry_handles[room] = loop.call_later(delay, again)


def _destination(effect: Effect) -> str:
    """Where an effect goes, for ordering: ``""`` for the room, the user id for a private one."""
    return effect.user if isinstance(effect, SayDirect) else ""


def _split_room_hint(text: str) -> tuple[str, str | None]:
    """``"next in salon"`` → ``("next", "salon")``; French ``dans`` works too."""
    words = text.strip().split()
    if len(words) >= 3 and words[-2].lower() in ("in", "dans"):
        return " ".join(words[:-2]), words[-1]
    return text, None
