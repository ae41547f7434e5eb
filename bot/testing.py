"""Helpers to drive the engine in tests and rehearsals: a frozen clock and a recording harness.

``EngineHarness`` plays the runtime's part without I/O: it feeds events to ``decide``, keeps
the state, collects the effects and fires due timers when the clock is moved forward.
``ManualScheduler`` is the runtime's scheduler on a ``FrozenClock``: days pass in a test with
``await scheduler.advance(seconds)``, firing what falls due, in order, through the runtime.
"""

from collections.abc import Callable

from bot.effects import Effect, Outward, Say, SayDirect, StartTimer
from bot.engine import Engine, EngineSettings
from bot.events import (
    DirectMessage,
    Event,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
)
from bot.formats import load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.ports import DeliveryError, Sink
from bot.scheduler import Fire
from bot.state import AtelierState

__all__ = ["EffectsReading", "EngineHarness", "FrozenClock", "ManualScheduler", "RecordingAdapter"]


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 1_767_258_000.0) -> None:  # 2026-01-01 10:00 Paris
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ManualScheduler:
    """A ``bot.scheduler.Scheduler`` that fires only when told to move its ``FrozenClock``.

    Give it to the runtime (``Runtime(..., clock=clock, scheduler=ManualScheduler)``); a job
    armed in the past (downtime) fires at the next ``advance``, at the clock's time then.
    """

    def __init__(self, fire: Fire, clock: Callable[[], float]) -> None:
        if not isinstance(clock, FrozenClock):
            raise TypeError("ManualScheduler needs the runtime's clock to be a FrozenClock")
        self._fire = fire
        self.clock = clock
        self.jobs: dict[tuple[str, str], float] = {}
        self.fired: list[tuple[str, str, float]] = []  # (room, name, deadline), in order

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        self.jobs.clear()

    def arm(self, room: str, name: str, at: float) -> None:
        self.jobs[(room, name)] = at

    def cancel(self, room: str, name: str) -> None:
        self.jobs.pop((room, name), None)

    def pending(self) -> int:
        return len(self.jobs)

    async def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds``, firing every job that falls due on the way, earliest
        first, each one handled by the runtime before the next; jobs armed meanwhile count."""
        target = self.clock.now + seconds
        while True:
            due = [(at, room, name) for (room, name), at in self.jobs.items() if at <= target]
            if not due:
                break
            at, room, name = min(due)
            del self.jobs[(room, name)]
            self.clock.now = max(self.clock.now, at)
            self.fired.append((room, name, at))
            await self._fire(room, name, at)
        self.clock.now = max(self.clock.now, target)


class EffectsReading:
    """What was said: in ``last`` (the effects of the last event fed), or in ``effects``."""

    last: list[Effect]

    def said(self, key: str, effects: list[Effect] | None = None) -> list[Say]:
        pool = self.last if effects is None else effects
        return [e for e in pool if isinstance(e, Say) and e.key == key]

    def told(self, user: str, key: str, effects: list[Effect] | None = None) -> list[SayDirect]:
        pool = self.last if effects is None else effects
        return [e for e in pool if isinstance(e, SayDirect) and e.user == user and e.key == key]

    def said_keys(self, effects: list[Effect] | None = None) -> list[str]:
        pool = self.last if effects is None else effects
        return [e.key for e in pool if isinstance(e, Say | SayDirect)]


class EngineHarness(EffectsReading):
    def __init__(
        self,
        *,
        seconds_per_minute: float = 60.0,
        language: str = "fr",
        room: str = "!room:test",
        engine: Engine | None = None,
    ) -> None:
        settings = EngineSettings(language=language, seconds_per_minute=seconds_per_minute)
        self.engine = engine or Engine(settings, load_formats())
        self.room = RoomId(room)
        self.clock = FrozenClock()
        self.state: AtelierState | None = None
        self.effects: list[Effect] = []
        self.last: list[Effect] = []
        self._ids = 0

    # -- feeding events ------------------------------------------------------------------------
    def _next_id(self) -> str:
        self._ids += 1
        return f"$m{self._ids}"

    def feed(self, event: Event) -> list[Effect]:
        self.state, effects = self.engine.decide(self.state, event, self.clock.now)
        self.effects.extend(effects)
        self.last = effects
        return effects

    def post(
        self, user: str, text: str, *, moderator: bool = False, thread: str | None = None
    ) -> list[Effect]:
        """``user`` writes ``text`` in the room (in the thread of message ``thread``)."""
        return self.feed(
            MessagePosted(
                room=self.room,
                sender=UserId(user),
                sender_name=user.title(),
                text=text,
                message_id=MessageId(self._next_id()),
                event_id=EventId(f"ev{self._ids}"),
                moderator=moderator,
                thread=MessageId(thread) if thread else None,
            )
        )

    @property
    def last_message_id(self) -> str:
        """The id of the last message posted with ``post``."""
        return f"$m{self._ids}"

    def cmd(self, user: str, text: str, *, thread: str | None = None) -> list[Effect]:
        return self.post(user, f"!atelier {text}", thread=thread)

    def dm(self, user: str, text: str) -> list[Effect]:
        return self.feed(
            DirectMessage(room=self.room, sender=UserId(user), sender_name=user.title(), text=text)
        )

    def edit(self, user: str, original_id: str, text: str) -> list[Effect]:
        return self.feed(
            MessageEdited(
                room=self.room, sender=UserId(user), original_id=MessageId(original_id), text=text
            )
        )

    def react(self, user: str, ref: str, key: str) -> list[Effect]:
        return self.feed(
            ReactionAdded(
                room=self.room, sender=UserId(user), sender_name=user.title(), ref=ref, key=key
            )
        )

    def unreact(self, user: str, ref: str, key: str) -> list[Effect]:
        return self.feed(ReactionRemoved(room=self.room, sender=UserId(user), ref=ref, key=key))

    def leave_room(self, user: str) -> list[Effect]:
        return self.feed(MemberLeft(room=self.room, sender=UserId(user)))

    # -- time ----------------------------------------------------------------------------------
    def advance(self, seconds: float) -> list[Effect]:
        """Move the clock, firing every timer that falls due on the way, in order."""
        target = self.clock.now + seconds
        produced: list[Effect] = []
        while self.state is not None and not self.state.finished:
            due = [(at, name) for name, at in self.state.timers.items() if at <= target]
            if not due:
                break
            at, name = min(due)
            self.clock.now = max(self.clock.now, at)
            produced.extend(self.feed(TimerFired(room=self.room, name=name, at=at)))
        self.clock.now = target
        self.last = produced
        return produced

    def run_out_step(self) -> list[Effect]:
        """Let the current step's deadline pass."""
        assert self.state is not None
        deadline = self.state.timers.get("step")
        assert deadline is not None, "the step has no deadline"
        return self.advance(deadline - self.clock.now + 0.001)

    # -- reading what was said -----------------------------------------------------------------
    @staticmethod
    def keys(effects: list[Effect]) -> list[str]:
        return [e.key for e in effects if isinstance(e, Say | SayDirect)]

    def timers(self, effects: list[Effect] | None = None) -> list[StartTimer]:
        pool = self.last if effects is None else effects
        return [e for e in pool if isinstance(e, StartTimer)]

    @property
    def s(self) -> AtelierState:
        assert self.state is not None
        return self.state

    @property
    def step_id(self) -> str:
        return self.s.step.id


class RecordingAdapter:
    """An adapter that keeps what it was asked to do; it can be told to fail, like a server down."""

    name = "test"

    def __init__(self, prefix: str = "!") -> None:
        self.prefix = prefix
        self.performed: list[Outward] = []
        self.down = False
        self.names: dict[str, str] = {}  # room names, as a platform would know them
        self.sink: Sink | None = None
        self._ids = 0

    def owns(self, room: str) -> bool:
        return room.startswith(self.prefix) or room.startswith("test:")

    def room_name(self, room: str) -> str | None:
        return self.names.get(room)

    async def connect(self, sink: Sink) -> None:
        self.sink = sink

    async def perform(self, effect: Outward, *, idempotency_key: str | None = None) -> str | None:
        if self.down:
            raise DeliveryError("server down", retry_after=0.05)
        self.performed.append(effect)
        if isinstance(effect, Say):
            self._ids += 1
            return f"$sent{self._ids}"
        return None

    async def close(self) -> None:
        self.sink = None

    def said_keys(self) -> list[str]:
        return [e.key for e in self.performed if isinstance(e, Say | SayDirect)]
