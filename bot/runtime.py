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
from collections.abc import Callable, Coroutine, Sequence
from typing import assert_never

from bot.agenda import Agenda, PlanSettings, next_job
from bot.delivery import Delivery
from bot.effects import (
    Archive,
    ArchiveNote,
    ArchiveQuery,
    CancelTimer,
    Carry,
    CycleQuery,
    Effect,
    Offered,
    PersonalData,
    PostFile,
    React,
    Record,
    Say,
    SayDirect,
    StartTimer,
)
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
)
from bot.flood import Refusals
from bot.ids import RoomId
from bot.inbound import DirectIn, Inbound, ReactionIn, ReactionOut, Reconnected
from bot.log_safe import failure
from bot.planning import Planner
from bot.ports import Adapter
from bot.retention import SWEEP_EVERY
from bot.routing import rooms_for
from bot.runtime_agendas import AgendaKeeping
from bot.scheduler import SchedulerFactory, TimerScheduler
from bot.state import AtelierState
from bot.store import Store
from bot.texts import render

__all__ = ["Runtime"]

log = logging.getLogger("atelier.runtime")


def _log_failure(what: str, error: Exception) -> None:
    """Where it failed, never what was written (bot/log_safe.py)."""
    log.error("%s: %s", what, failure(error))


class Runtime(AgendaKeeping):
    def __init__(
        self,
        engine: Engine,
        store: Store,
        adapters: Sequence[Adapter],
        *,
        clock: Callable[[], float] = time.time,
        scheduler: SchedulerFactory = TimerScheduler,
        planner: Planner | None = None,
    ) -> None:
        self.engine = engine
        self.planner = planner or Planner(engine.settings, PlanSettings(), engine.formats)
        self.agendas: dict[str, Agenda] = {}
        self._plan_refusals: dict[str, Refusals] = {}
        self.store = store
        self.adapters = list(adapters)
        self.clock = clock
        self.states: dict[str, AtelierState] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivery = Delivery(store, adapters, clock, report=self.process, spawn=self._spawn)
        self.scheduler = scheduler(self._on_timer, clock)
        self._closing = False
        self._sweeper: asyncio.Task[None] | None = None
        self.handled = 0
        self.changed = asyncio.Event()

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Reload ateliers, re-arm every pending deadline, connect, then resend what was owed.

        The adapters connect first: an effect owed from before a stop can only be sent once
        its platform is connected (a room's later effects still wait behind it, in order).
        """
        await self.sweep()  # what outlived its period while the bot was down goes first
        self.states = await self.store.active_ateliers()
        self.agendas = await self.store.agendas()
        self.scheduler.start()
        for room, state in self.states.items():
            for name, at in state.timers.items():
                self.scheduler.arm(room, name, at)
            if not state.cycle_known:  # asked before a stop, not answered: asked again
                self._spawn(self._look_up(CycleQuery(room=RoomId(room), atelier_id=state.id)))
        for room, agenda in self.agendas.items():
            for name, at in next_job(agenda, self.planner.plan).items():
                self.scheduler.arm(room, name, at)
        for adapter in self.adapters:
            await adapter.connect(self.receive)
        for room in {item.room for item in await self.store.pending()}:
            await self.delivery.deliver(room)
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_every(SWEEP_EVERY))

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        self.delivery.stop()
        self.scheduler.shutdown()
        for adapter in self.adapters:
            await adapter.close()
        await self.store.flush()  # the last delivery marks

    async def sweep(self) -> None:
        """Delete what outlived its room's retention period (bot/retention.py), at the
        runtime's clock; an atelier left untouched that long is closed and forgotten here."""
        settings = self.engine.settings
        now = self.clock()
        closed = await self.store.sweep(now, settings.retention_days, settings.room_retention_days)
        for room in closed:
            async with self._lock(room):
                state = self.states.pop(room, None)
                for name in state.timers if state is not None else ():
                    self.scheduler.cancel(room, name)

    async def _sweep_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.sweep()
            except Exception as error:
                _log_failure("the retention sweep failed", error)

    def _lock(self, room: str) -> asyncio.Lock:
        lock = self._locks.get(room)
        if lock is None:
            lock = self._locks[room] = asyncio.Lock()
        return lock

    async def settled(self) -> None:
        """Wait until the work started in the background (look-ups, reports) is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

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
                    guard=inbound.guard,
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
                await self.delivery.deliver_owed(inbound.platform)
            case MessagePosted() | MessageEdited() | MessageRemoved() | MemberLeft():
                await self.process(inbound)
            case _:
                assert_never(inbound)

    async def _receive_direct(self, inbound: DirectIn) -> None:
        adapter = self.delivery.adapter_named(inbound.platform)
        if inbound.room is not None:  # a button names its atelier
            rooms, text = [str(inbound.room)], inbound.text
        else:
            rooms, text = rooms_for(
                self.states,
                inbound.sender,
                inbound.text,
                owns=adapter.owns if adapter is not None else lambda room: True,
                label=self._room_label,
            )
        if len(rooms) > 1:
            lang = self.engine.settings.language
            listing = ", ".join(f"« {self._room_label(room)} »" for room in rooms)
            body = render(lang, "dm.which_room", rooms=listing)
            await self.delivery.send_now(
                inbound.platform,
                SayDirect(room=RoomId(""), user=inbound.sender, key="dm.which_room", body=body),
            )
            return
        asked = None if rooms else self.planner.check_in_room(self.agendas, inbound.sender)
        room = rooms[0] if rooms else asked or f"{inbound.platform}:direct"
        await self.process(
            DirectMessage(
                room=RoomId(room),
                sender=inbound.sender,
                sender_name=inbound.sender_name,
                text=text,
                event_id=inbound.event_id,
                guard=inbound.guard,
            )
        )

    def _room_label(self, room: str) -> str:
        """The room's name where its platform knows it, else its id."""
        adapter = self.delivery.adapter_for(room)
        return (adapter.room_name(room) if adapter is not None else None) or room

    async def _on_timer(self, room: str, name: str, at: float) -> None:
        try:
            await self.process(TimerFired(room=RoomId(room), name=name, at=at))
        except Exception as error:
            _log_failure(f"timer {name} of {room} failed", error)

    async def process(self, event: Event) -> None:
        """Decide on one event, persist, then perform. Events of one room run one at a time.

        Planning commands, reactions to invitations and planning timers go to the planner; a
        session it opens goes on to the engine, in the same transaction."""
        room = event.room
        event_id = getattr(event, "event_id", None)
        async with self._lock(room):
            before = self.states.get(room)
            now = self.clock()
            agendas: list[Agenda] = []  # the agendas this decision changed
            planned = self.planner.takes(
                event,
                self.agendas.get(room),
                before is not None,
                takes_part=before is not None and getattr(event, "sender", "") in before.people,
            )
            if planned:
                refusals = self._plan_refusals.setdefault(room, {})  # in memory only
                agenda_now = self.agendas.get(room)
                plan = self.planner.decide(agenda_now, event, now, before is not None, refusals)
                after, effects = before, plan.effects
                if plan.opening is not None:
                    after, opened = self.engine.decide(before, plan.opening, now)
                    effects = effects + opened
                if plan.agenda is not None and plan.agenda is not self.agendas.get(room):
                    agendas.append(plan.agenda)
            else:
                after, effects = self.engine.decide(before, event, now)
                agenda = self._beside(event, before, after, effects, now)
                agendas = [agenda] if agenda is not None else []
            pending = await self.store.commit_decision(
                room=room,
                state=after,
                event_id=event_id,
                effects=effects,
                now=now,
                agendas=agendas,
            )
            if pending is None:
                return  # handled before (a platform sent it again): the decision is dropped
            for agenda in agendas:
                if not planned:  # changed beside the planner (an end, a forget-me): its jobs
                    self._rearm(self.agendas.get(agenda.room), agenda)
                if not agenda.empty:
                    self.agendas[agenda.room] = agenda
                else:
                    self.agendas.pop(agenda.room, None)
            if after is not None and not after.finished:
                self.states[room] = after
            else:
                self.states.pop(room, None)
            self._arm(effects)
            self.handled += 1
        await self.delivery.deliver(room, pending)
        self.changed.set()

    def _arm(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case StartTimer():
                    self.scheduler.arm(effect.room, effect.name, effect.at)
                case CancelTimer():
                    self.scheduler.cancel(effect.room, effect.name)
                case Say() | SayDirect() | React() | PostFile() | Record() | Archive():
                    pass  # the store has kept them (outbox, inputs, archive); delivered below
                case ArchiveNote():
                    pass  # the store has appended it to the archived record
                case Offered() | Carry():
                    pass  # the store has kept them (the room's memory)
                case ArchiveQuery() | PersonalData() | CycleQuery():
                    self._spawn(self._look_up(effect))
                case _:
                    assert_never(effect)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _look_up(self, query: ArchiveQuery | PersonalData | CycleQuery) -> None:
        """Ask the store, then let the engine answer (a question, not an input: a crash
        before the answer loses the answer only)."""
        try:
            await self.process(await self.store.answer(query))
        except Exception as error:
            _log_failure(f"{type(query).__name__} failed", error)
