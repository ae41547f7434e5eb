"""A room's agenda: the sessions planned there, who said they would come, what was sent.

Kept apart from the atelier's state (an atelier runs; an agenda waits), stored as one row per
room (``bot.store_planning``), decided by ``bot.planning``. Its deadlines are not stored apart:
they follow from the sessions (``deadlines``). Only the room's next one is armed
(``next_job``); handling it arms the one after, so a restart re-arms one job per room, not one
per session and reminder (50 sessions in 1,000 rooms are 200,000 deadlines), and deadlines
passed during downtime come back one at a time, in order.
"""

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "TIMER_PREFIX",
    "Agenda",
    "DatePoll",
    "FollowUp",
    "PlanSettings",
    "Planned",
    "Slot",
    "deadlines",
    "timer_name",
    "timer_of",
]

#: the planner's timer names start with this (the atelier's never do)
TIMER_PREFIX = "plan:"


class PlanSettings(BaseModel):
    """``[planning]`` of the configuration, in seconds."""

    model_config = ConfigDict(frozen=True)

    invite_ahead: float = 7 * 86_400  # a session of a cycle is announced this long before
    first_reminder: float = 24 * 3_600
    last_reminder: float = 15 * 60
    late_grace: float = 30 * 60  # a start missed by less than this opens late; more: missed
    follow_up: float = 14 * 86_400  # after an atelier, when its offerer is asked (0: never)
    most_sessions: int = 60  # per room


class Planned(BaseModel):
    """One planned session; ``number`` is stable in the room (``annuler 3`` means this one)."""

    model_config = ConfigDict(extra="forbid")

    number: int
    start: float
    end: float | None = None
    format: str | None = None
    facilitator: str
    facilitator_name: str
    #: who said they would come: user id → display name, in the order they said it
    coming: dict[str, str] = Field(default_factory=dict)
    invited: bool = False  # the invitation is posted (a cycle's later sessions: a week ahead)
    #: reminders done ("first", "last"): sent, or passed over when no longer true
    reminded: list[str] = Field(default_factory=list)
    cycle: int | None = None  # the number of the first session of its cycle
    #: the check-in (``--questionnaire``): asked privately with the day-before reminder to
    #: each person coming; their answers (user id → text) go to the facilitator only, and
    #: back to them when the atelier opens. Dropped with the session.
    check_in: bool = False
    asked: list[str] = Field(default_factory=list)
    answers: dict[str, str] = Field(default_factory=dict)


class FollowUp(BaseModel):
    """The cold follow-up of an ended atelier: its offerer is asked, privately, how their
    actions went; the answer is appended to the record if the group shared it."""

    model_config = ConfigDict(extra="forbid")

    number: int  # numbered with the sessions (its timer is ``plan:N:followup``)
    atelier_id: str
    offerer: str
    started_at: float  # the atelier's day, said in the question
    due: float
    asked: bool = False
    #: who asked to be told (``nouvelles``): they receive the answer, privately
    listeners: list[str] = Field(default_factory=list)


class Slot(BaseModel):
    """One date proposed by a date poll, and who said it suits them (user id → name)."""

    model_config = ConfigDict(extra="forbid")

    number: int  # numbered with the sessions: ``planifier 7`` plans slot n° 7
    at: float
    suits: dict[str, str] = Field(default_factory=dict)


class DatePoll(BaseModel):
    """``sondage-date``: slots people react to; whoever opened it plans one, which closes it."""

    model_config = ConfigDict(extra="forbid")

    number: int
    facilitator: str
    slots: list[Slot] = Field(default_factory=list)


class Agenda(BaseModel):
    model_config = ConfigDict(extra="forbid")

    room: str
    lang: str
    timezone: str
    next_number: int = 1
    sessions: list[Planned] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    polls: list[DatePoll] = Field(default_factory=list)
    #: the room's own delay of the cold follow-up, in days (``suivi 21``; 0: none); None:
    #: the configuration's
    follow_up_days: float | None = None

    @property
    def empty(self) -> bool:
        nothing = not self.sessions and not self.follow_ups and not self.polls
        return nothing and self.follow_up_days is None

    def slot(self, number: int) -> tuple[DatePoll, Slot] | None:
        for poll in self.polls:
            for slot in poll.slots:
                if slot.number == number:
                    return poll, slot
        return None

    def session(self, number: int) -> Planned | None:
        return next((p for p in self.sessions if p.number == number), None)

    def asking(self, user: str) -> Planned | None:
        """The next session whose check-in question ``user`` was asked."""
        return next((p for p in self.sessions if user in p.asked), None)

    def following(self, user: str) -> FollowUp | None:
        """The follow-up question ``user`` was asked and has not answered."""
        return next((f for f in self.follow_ups if f.asked and f.offerer == user), None)

    def awaits(self, user: str) -> float | None:
        """When the question this person's next private message answers was asked about
        (a session's start, an atelier's day); None if none is waiting."""
        session, follow_up = self.asking(user), self.following(user)
        if follow_up is not None:
            return follow_up.started_at
        return session.start if session is not None else None


def timer_name(number: int, what: str) -> str:
    return f"{TIMER_PREFIX}{number}:{what}"


def timer_of(name: str) -> tuple[int, str] | None:
    """``"plan:3:open"`` → (3, "open"); None for a timer that is not the planner's."""
    if not name.startswith(TIMER_PREFIX):
        return None
    number, _, what = name[len(TIMER_PREFIX) :].partition(":")
    return (int(number), what) if number.isdigit() and what else None


#: (at, order, number, what): for deadlines at the same moment, ``order`` says which first
_Job = tuple[float, int, int, str]


def _jobs(agenda: Agenda | None, settings: PlanSettings) -> Iterator[_Job]:
    """Every deadline the agenda waits for, as sortable tuples (no names built)."""
    if agenda is None:
        return
    for p in agenda.sessions:
        if not p.invited:
            yield p.start - settings.invite_ahead, 0, p.number, "invite"
        if "first" not in p.reminded:
            yield p.start - settings.first_reminder, 1, p.number, "first"
        if "last" not in p.reminded:
            yield p.start - settings.last_reminder, 2, p.number, "last"
        yield p.start, 3, p.number, "open"
    for poll in agenda.polls:  # closed when its last slot has passed
        yield max(slot.at for slot in poll.slots), 4, poll.number, "poll"
    for f in agenda.follow_ups:
        if not f.asked:
            yield f.due, -1, f.number, "followup"
        else:  # a question left unanswered as long again is dropped
            yield f.due + settings.follow_up, -2, f.number, "expire"


def deadlines(agenda: Agenda | None, settings: PlanSettings) -> dict[str, float]:
    """The jobs the agenda waits for: each session's invitation, reminders and opening, each
    poll's closing, each follow-up's question (or its expiry)."""
    return {timer_name(number, what): at for at, _, number, what in _jobs(agenda, settings)}


def next_job(agenda: Agenda | None, settings: PlanSettings) -> dict[str, float]:
    """The one deadline to arm for the room: the earliest of ``deadlines`` (none if empty)."""
    first = min(_jobs(agenda, settings), default=None)
    return {} if first is None else {timer_name(first[2], first[3]): first[0]}
