"""The state of one atelier: everything the engine needs, serialisable to JSON.

The engine never mutates a state it was given: ``decide`` works on a copy.
"""

from pydantic import BaseModel, ConfigDict, Field

from bot.formats import Format, Step, StepKind
from bot.ids import short_id

__all__ = [
    "AtelierState",
    "Entry",
    "Person",
    "Problem",
    "TieBreak",
    "Turns",
    "Vote",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class _Frozen(BaseModel):
    """An entry kept in the state's lists: replaced when it changes, never changed in place
    (so that ``decide`` can copy the lists, not every entry)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Frozen):
    user_id: str
    name: str
    #: asked to be forgotten: shown by a neutral mention, never with their id
    forgotten: bool = False


class Problem(_Frozen):
    number: int
    author: str
    text: str
    at: float
    message_id: str | None = None


class Vote(_Frozen):
    """``weight`` votes of ``voter`` on problem ``number``; ``source``: a reaction key or "text"."""

    voter: str
    number: int
    weight: int
    source: str
    round: int = 0


class Entry(_Frozen):
    """One written input: a rule, a question, an answer, a contribution, a rebound, an action…"""

    number: int
    author: str
    text: str
    at: float
    when: str | None = None
    score: int | None = None
    message_id: str | None = None


class Turns(_Model):
    """Who holds the floor in a step of turns, who waits, and how often each has held it."""

    speaker: str | None = None
    queue: list[str] = Field(default_factory=list)
    #: times each person held the floor in this step, whether they spoke or passed
    spoken: dict[str, int] = Field(default_factory=dict)


class TieBreak(_Frozen):
    """Problems tied at the top of a vote, waiting for the facilitator (or a re-vote)."""

    numbers: list[int]
    round: int


class AtelierState(_Model):
    id: str
    room: str
    lang: str
    format: Format
    seconds_per_minute: float
    started_at: float
    timezone: str = "Europe/Paris"
    prefix: str = "!atelier"
    announced_end: float | None = None
    facilitator: str
    facilitator_name: str
    #: the facilitator left the room: they do not steer until they write in it again
    facilitator_away: bool = False
    #: the thread the atelier runs in (``démarrer --fil``): its first message, or None
    thread: str | None = None
    people: dict[str, Person] = Field(default_factory=dict)
    participants: list[str] = Field(default_factory=list)
    step_index: int = 0
    step_started_at: float = 0.0
    timers: dict[str, float] = Field(default_factory=dict)
    paused: dict[str, float] | None = None
    #: the overrun the facilitator was last told about (None: the plan fits the announced end)
    warned_overrun: float | None = None
    finished: bool = False

    rules: list[Entry] = Field(default_factory=list)
    #: each one's answer: may the facilitator recall the rules?
    rules_agreed: dict[str, bool] = Field(default_factory=dict)
    problems: list[Problem] = Field(default_factory=list)
    presentations: list[Entry] = Field(default_factory=list)
    #: problems whose author never had the floor in the problem sharing (time ran out)
    unpresented: list[int] = Field(default_factory=list)
    votes: list[Vote] = Field(default_factory=list)
    vote_round: int = 0
    #: the round of the current vote's first ballot (a tie's re-vote is the next round)
    first_round: int = 0
    candidates: list[int] = Field(default_factory=list)
    first_tally: dict[int, int] = Field(default_factory=dict)
    tie: TieBreak | None = None
    ranking: list[int] = Field(default_factory=list)
    declined: list[int] = Field(default_factory=list)
    chosen: int | None = None
    offerer: str | None = None
    situation: list[Entry] = Field(default_factory=list)
    questions: list[Entry] = Field(default_factory=list)
    answers: list[Entry] = Field(default_factory=list)
    request: str | None = None
    request_message_id: str | None = None
    rebounds: list[Entry] = Field(default_factory=list)
    contributions: list[Entry] = Field(default_factory=list)
    #: what the offerer wrote during the exchanges, handed back to them at the harvest
    offerer_notes: list[Entry] = Field(default_factory=list)
    kept: list[int] = Field(default_factory=list)
    actions: list[Entry] = Field(default_factory=list)
    sharings: list[Entry] = Field(default_factory=list)
    feelings: list[Entry] = Field(default_factory=list)
    #: participants who left once the case was chosen: still asked about the record
    departed: list[str] = Field(default_factory=list)
    #: who is asked whether the record may be shared (empty while the offerer reviews it)
    record_asked: list[str] = Field(default_factory=list)
    #: each person's last answer; a yes taken back is no answer
    record_consent: dict[str, bool] = Field(default_factory=dict)
    #: the facilitator chose to share it without the passages of those who did not say yes
    record_partial: bool = False
    #: days a private input kept past the atelier stays (a carried problem): bot/retention.py
    retention_days: int = 90
    #: the room's memory has been read (``bot/cycles.py``): who has already offered a situation
    cycle_known: bool = False
    past_offerers: list[str] = Field(default_factory=list)
    #: problems carried from an earlier session, by author, until they confirm or withdraw
    carried: dict[str, str] = Field(default_factory=dict)
    #: authors already asked about their carried problem
    carried_asked: list[str] = Field(default_factory=list)
    #: authors asked, at the end, whether to carry their problem not chosen
    carry_asked: list[str] = Field(default_factory=list)
    turns: Turns = Field(default_factory=Turns)
    #: people the bot could not write to privately ("" for the room): the facilitator was told
    unreachable: list[str] = Field(default_factory=list)
    #: each person's current flood window: when it ends, and the refusals answered in it
    #: (bot/flood.py)
    refusals: dict[str, tuple[float, int]] = Field(default_factory=dict)

    @property
    def step(self) -> Step:
        return self.format.steps[self.step_index]

    @property
    def kind(self) -> StepKind:
        return self.step.kind

    def name(self, user_id: str) -> str:
        """The person's display name; with a short id when someone else here has the same."""
        person = self.people.get(user_id)
        if person is None:
            return user_id
        same = person.name.casefold()
        if person.forgotten:
            return person.name
        if any(o.user_id != user_id and o.name.casefold() == same for o in self.people.values()):
            return f"{person.name} ({short_id(user_id)})"
        return person.name

    def problem(self, number: int) -> Problem | None:
        for problem in self.problems:
            if problem.number == number:
                return problem
        return None

    def problem_of(self, user_id: str) -> Problem | None:
        for problem in self.problems:
            if problem.author == user_id:
                return problem
        return None

    def answers_to(self, user_id: str) -> bool:
        """Whether a private message of this person may be about this atelier."""
        return (
            user_id == self.facilitator
            or user_id in self.participants
            or user_id in self.record_asked
        )

    @property
    def contributors(self) -> list[str]:
        return [p for p in self.participants if p != self.offerer]

    @property
    def current_votes(self) -> list[Vote]:
        return [v for v in self.votes if v.round == self.vote_round]

    def reached(self, kind: StepKind) -> bool:
        """Whether the atelier has reached (or passed) the step of that kind."""
        index = self.format.index_of(kind)
        return index is not None and self.step_index >= index
