"""The planner driven without I/O, like ``bot.testing.EngineHarness`` drives the engine."""

from bot.agenda import Agenda, PlanSettings, deadlines, next_job
from bot.effects import Effect
from bot.events import (
    Event,
    MessagePosted,
    PlannedOpening,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
)
from bot.flood import Refusals
from bot.formats import load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.planning import Planner
from bot.start import EngineSettings
from bot.testing import EffectsReading, FrozenClock

ROOM = RoomId("!salon:test")
DAY = 86_400.0


class PlanHarness(EffectsReading):
    def __init__(
        self, *, language: str = "fr", who_may_start: str = "anyone", timezone: str = ""
    ) -> None:
        """``timezone``: the room's own (``[rooms."<id>"] timezone``), if any."""
        settings = EngineSettings(
            language=language,
            who_may_start=who_may_start,
            room_timezones=((ROOM, timezone),) if timezone else (),
        )
        self.plan = PlanSettings()
        self.planner = Planner(settings, self.plan, load_formats())
        self.clock = FrozenClock()  # Thursday 1 January 2026, 10:00 in Paris
        self.agenda: Agenda | None = None
        self.last: list[Effect] = []
        self.openings: list[PlannedOpening] = []
        self.busy = False
        self.refusals: Refusals = {}  # kept across decisions, as the runtime keeps them
        self._n = 0

    def feed(self, event: Event) -> list[Effect]:
        decision = self.planner.decide(self.agenda, event, self.clock.now, self.busy, self.refusals)
        self.agenda = decision.agenda
        if decision.opening is not None:
            self.openings.append(decision.opening)
        self.last = decision.effects
        return decision.effects

    def cmd(self, user: str, text: str, *, moderator: bool = False, name: str = "") -> list[Effect]:
        self._n += 1
        return self.feed(
            MessagePosted(
                room=ROOM,
                sender=UserId(user),
                sender_name=name or user.title(),
                text=f"!atelier {text}",
                message_id=MessageId(f"$m{self._n}"),
                event_id=EventId(f"ev{self._n}"),
                moderator=moderator,
            )
        )

    def says(self, user: str, text: str) -> list[Effect]:
        """A plain message in the room, without the prefix."""
        self._n += 1
        return self.feed(
            MessagePosted(
                room=ROOM,
                sender=UserId(user),
                sender_name=user.title(),
                text=text,
                message_id=MessageId(f"$m{self._n}"),
            )
        )

    def react(self, user: str, number: int, key: str = "hand", name: str = "") -> list[Effect]:
        return self.feed(
            ReactionAdded(
                room=ROOM,
                sender=UserId(user),
                sender_name=name or user.title(),
                ref=f"plan:{number}",
                key=key,
            )
        )

    def unreact(self, user: str, number: int, key: str = "hand") -> list[Effect]:
        return self.feed(
            ReactionRemoved(room=ROOM, sender=UserId(user), ref=f"plan:{number}", key=key)
        )

    def advance(self, seconds: float, *, down: bool = False) -> list[Effect]:
        """Move the clock, firing the due jobs in order (``down``: the bot was down; the jobs
        fire afterwards, at the new time, all at once, latest first to be unkind)."""
        target = self.clock.now + seconds
        produced: list[Effect] = []
        if down:
            self.clock.now = target
            due = sorted(
                (
                    (at, name)
                    for name, at in deadlines(self.agenda, self.plan).items()
                    if at <= target
                ),
                reverse=True,
            )
            for at, name in due:
                produced += self.feed(TimerFired(room=ROOM, name=name, at=at))
        while True:  # as the runtime does: only the room's next job is armed
            jobs = next_job(self.agenda, self.plan)
            due = [(at, name) for name, at in jobs.items() if at <= target]
            if not due:
                break
            at, name = min(due)
            self.clock.now = max(self.clock.now, at)
            produced += self.feed(TimerFired(room=ROOM, name=name, at=at))
        self.clock.now = target
        self.last = produced
        return produced

    # -- reading ---------------------------------------------------------------------------
    @property
    def a(self) -> Agenda:
        assert self.agenda is not None
        return self.agenda
