"""What every step module uses: the shape of a step's rules, durations, announces, entries.

A step's rules (``StepRules``) say everything about it: what happens on entering it and on
leaving it, at its deadline, what room text and private text mean there, which commands it
accepts and whether a jump may enter it. ``bot/steps/__init__.py`` holds the table of them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot import clock
from bot.context import Ctx, Invocation
from bot.effects import Button
from bot.formats import Format, Step, StepKind
from bot.numbers import amount
from bot.refs import Ref, encode
from bot.state import AtelierState, Entry

__all__ = [
    "CommandHandler",
    "StepRules",
    "add_entry",
    "announce",
    "enter_with_offerer",
    "longest_minutes",
    "needs_offerer",
    "note",
    "planned_end",
    "positive_number",
    "set_deadline",
    "step_seconds",
    "text_command",
    "title",
]

K = StepKind

#: A command's handler: it receives everything about one use of the command.
CommandHandler = Callable[[Invocation], None]


def _stay(ctx: Ctx) -> bool:
    return True


def _never(ctx: Ctx, user: str) -> bool:
    return False


def _always(ctx: Ctx, user: str) -> bool:
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRules:
    """Everything one kind of step does; functions change the ``Ctx``'s state in place."""

    #: Entering the step: announce it, set up its turns, ask its question…
    enter: Callable[[Ctx], None]
    #: Leaving it: False holds the atelier here (a tie, no problem yet…).
    finish: Callable[[Ctx], bool] = _stay
    #: Its deadline passed: True when the step took care of it (and stays).
    deadline: Callable[[Ctx], bool] | None = None
    #: Its deadline is near (after the room has been told the time left).
    warning: Callable[[Ctx], None] | None = None
    #: A plain message in the room: ``(ctx, user, text, message_id)``.
    room_text: Callable[[Ctx, str, str, str], None] | None = None
    #: Whether free private text from this person is an input here (a problem, a rebound…).
    takes_direct: Callable[[Ctx, str], bool] = _never
    #: A private message that is no command: True when understood.
    direct_text: Callable[[Ctx, str, str], bool] | None = None
    #: The commands that only make sense in this step, by name.
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    #: Whether ``help`` offers those commands to this person.
    offers_commands: Callable[[Ctx, str], bool] = _always
    #: A participant left (their inputs are already gone): the step may be complete now.
    someone_left: Callable[[Ctx], None] | None = None
    #: Why a jump may not enter this step now (a text key), or None.
    blocks_jump: Callable[[Ctx], str | None] | None = None
    #: A jump goes back to this step.
    rewind: Callable[[Ctx], None] | None = None


def text_command(act: Callable[[Ctx, str, str, str | None], None], *, how: str) -> CommandHandler:
    """A command that is nothing without its text: ``act(ctx, user, text, message_id)``, or
    the text ``how`` that says how to write it."""

    def handler(call: Invocation) -> None:
        if not call.args:
            call.tell(how, prefix=call.prefix)
            return
        act(call.ctx, call.user, call.args, call.message_id)

    return handler


def title(ctx: Ctx, kind: StepKind) -> str:
    return ctx.t(f"step.{kind}")


# -- durations and deadlines -------------------------------------------------------------------
def step_seconds(ctx: Ctx, step: Step) -> float:
    """A step's planned time. A step where each person speaks in turn lasts one turn per
    person once they are known (the problems, the contributors); before that, its indicative
    ``minutes``, or turns for a group as large as the format allows — so that the end announced
    at the start is one the group can keep."""
    s = ctx.s
    if step.fixed_order and step.turn_minutes is not None:
        known = _known_turns(s, step)
        if known is not None:
            return ctx.seconds(step.turn_minutes * max(1, known))
    return ctx.seconds(_minutes_before_known(step, s.format, len(s.participants)))


def _minutes_before_known(step: Step, fmt: Format, registered: int) -> float:
    """A step's minutes before its turns are known: its indicative ``minutes``, or one turn
    per person of a group as large as the format allows (or as registered, if more)."""
    if step.minutes is not None:
        return step.minutes
    expected = max(registered, fmt.max_participants)
    if step.kind is K.CONTRIBUTOR_SHARING:
        expected -= 1
    return (step.turn_minutes or 1) * max(1, expected)


def longest_minutes(fmt: Format) -> float:
    """How long an atelier of this format is planned to last, for a group as large as it
    allows — what the end announced at its start is based on (an invitation says it)."""
    return sum(_minutes_before_known(step, fmt, 0) for step in fmt.steps)


def _known_turns(s: AtelierState, step: Step) -> int | None:
    if step.kind is K.CONTRIBUTOR_SHARING:
        return len(s.contributors) if s.offerer is not None else None
    return len(s.problems) if s.reached(K.PROBLEM_SHARING) else None


def set_deadline(ctx: Ctx, duration: float) -> None:
    deadline = ctx.now + duration
    ctx.set_timer("step", deadline)
    one_minute = ctx.seconds(1)
    if duration > 2 * one_minute:
        ctx.set_timer("warning", deadline - one_minute)
    else:
        ctx.set_timer("warning", deadline - 0.2 * duration)


def planned_end(ctx: Ctx) -> float:
    """When the atelier should end if every later step takes its planned time."""
    s = ctx.s
    remaining = ctx.remaining("step") or 0.0
    later = sum(step_seconds(ctx, step) for step in s.format.steps[s.step_index + 1 :])
    return ctx.now + remaining + later


# -- what steps say and keep -------------------------------------------------------------------
def announce(
    ctx: Ctx,
    *,
    mentions: tuple[str, ...] = (),
    ref: Ref | None = None,
    buttons: tuple[Button, ...] = (),
    **params: object,
) -> None:
    """The step's message: its number, title and time, then how it goes."""
    s = ctx.s
    kind = s.kind
    duration = ctx.remaining("step") or 0.0
    header = ctx.t(
        "step.header",
        number=s.step_index + 1,
        total=len(s.format.steps),
        title=title(ctx, kind),
        minutes=clock.minutes_text(duration, s.seconds_per_minute, ctx.lang),
    )
    body = header + "\n" + ctx.t(f"howto.{kind}", prefix=s.prefix, **params)
    label = encode(ref) if ref is not None else None
    ctx.say_text(f"howto.{kind}", body, mentions=mentions, ref=label, buttons=buttons)


def enter_with_offerer(ctx: Ctx) -> None:
    """Announce a step of the offerer, naming them."""
    s = ctx.s
    offerer = s.offerer or s.facilitator
    announce(ctx, mentions=(offerer,), offerer=s.name(offerer))


def needs_offerer(ctx: Ctx) -> str | None:
    """A jump to a step of the offerer needs one (``blocks_jump``)."""
    return None if ctx.s.offerer is not None else "goto.needs_offerer"


def add_entry(
    items: list[Entry],
    author: str,
    text: str,
    ctx: Ctx,
    message_id: str | None,
    *,
    when: str | None = None,
    score: int | None = None,
) -> Entry:
    entry = Entry(
        number=len(items) + 1,
        author=author,
        text=text,
        at=ctx.now,
        message_id=message_id,
        when=when,
        score=score,
    )
    items.append(entry)
    return entry


def positive_number(args: str) -> float | None:
    """The number that starts ``args`` (``"2"``, ``"1,5"``), if it is in (0, 600]."""
    value = amount(args.strip().split(" ")[0]) if args.strip() else None
    return value if value is not None and 0 < value <= 600 else None


def note(
    ctx: Ctx, items: list[Entry], user: str, text: str, message_id: str | None, kind: str
) -> Entry:
    """Keep what someone wrote in ``items`` and in the inputs log, as ``kind``."""
    entry = add_entry(items, user, text, ctx, message_id)
    ctx.record(kind, user, text)
    return entry
