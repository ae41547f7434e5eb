"""Turns to speak, shared by the steps of turns: who holds the floor, who waits, who is next.

Problem sharing and contributors' sharing go in a set order; clarification and exchanges go
by raised hands (``hand``, or ✋ on the step's message), fairly: see ``bot.turns``. A speaker
hands the floor back with ``done`` or ``pass``; the facilitator passes the turn of an absent or
silent speaker with ``pass``.
"""

from bot import clock
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.state import Entry
from bot.steps.base import CommandHandler, add_entry, title
from bot.steps.flow import advance
from bot.turns import give_next, may_take_floor, position, raise_hand, take_floor

__all__ = [
    "HANDS",
    "TURNS",
    "contribute",
    "hand",
    "next_speaker",
    "on_turn_timeout",
]

K = StepKind


def _protected(ctx: Ctx) -> list[str]:
    """Whom the fairness rule protects: the contributors present, in a step of raised hands."""
    return [] if ctx.s.step.fixed_order else ctx.s.contributors


def next_speaker(ctx: Ctx) -> None:
    """Hand the floor on; in a step of set turns, the step ends after the last one."""
    s = ctx.s
    ctx.clear_timer("turn")
    chosen = give_next(s.turns, _protected(ctx))
    if chosen is None:
        if s.step.fixed_order:
            ctx.say("turns.all_done", title=title(ctx, s.kind))
            advance(ctx)
        return
    _give_floor(ctx, chosen.speaker, offered=chosen.offered)


def on_turn_timeout(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("turn")
    if s.turns.speaker is not None:
        ctx.say("turns.time_up", name=s.name(s.turns.speaker))
    next_speaker(ctx)


def _give_floor(ctx: Ctx, speaker: str, *, offered: bool = False) -> None:
    s = ctx.s
    minutes = s.step.turn_minutes
    if minutes is not None:
        ctx.set_timer("turn", ctx.now + ctx.seconds(minutes))
    minutes_text = clock.minutes_text(ctx.seconds(minutes or 0), s.seconds_per_minute, ctx.lang)
    if s.kind is K.PROBLEM_SHARING:
        problem = s.problem_of(speaker)
        ctx.say(
            "turns.present_problem",
            mentions=(speaker,),
            name=s.name(speaker),
            minutes=minutes_text,
            number=problem.number if problem else "?",
            text=problem.text if problem else "",
        )
    elif s.kind is K.CONTRIBUTOR_SHARING:
        ctx.say("turns.share", mentions=(speaker,), name=s.name(speaker), minutes=minutes_text)
    elif offered:
        ctx.say(
            "turns.offered",
            mentions=(speaker,),
            name=s.name(speaker),
            minutes=minutes_text,
            prefix=s.prefix,
        )
    else:
        ctx.say("turns.floor", mentions=(speaker,), name=s.name(speaker), minutes=minutes_text)


def hand(ctx: Ctx, user: str, direct: bool) -> None:
    """Someone asks for the floor."""
    s = ctx.s
    turns = s.turns
    if turns.speaker == user:
        ctx.answer(user, direct, "turns.you_have_floor", name=s.name(user))
        return
    if user in turns.queue:
        ctx.dm(user, "turns.already_waiting", position=turns.queue.index(user) + 1)
        return
    raise_hand(turns, user)
    if turns.speaker is None:
        next_speaker(ctx)
    _tell_waiting(ctx, user)


def _tell_waiting(ctx: Ctx, user: str) -> None:
    """Tell someone in the queue where they are, and why when they wait for the others."""
    s = ctx.s
    turns = s.turns
    place = position(turns, user)
    if place is None or turns.speaker is None:
        return
    if not may_take_floor(turns, user, _protected(ctx)):  # they wait for those never heard
        ctx.dm(user, "turns.after_everyone", position=place)
    else:
        ctx.dm(user, "turns.queued", position=place, speaker=s.name(turns.speaker))


def _speak_freely(ctx: Ctx, user: str) -> None:
    """A contributor writes in a step of raised hands: fine if the floor is theirs, or free and
    theirs to take; otherwise the message is kept and they wait their turn."""
    turns = ctx.s.turns
    if turns.speaker == user:
        return
    if turns.speaker is None and not turns.queue:
        if may_take_floor(turns, user, _protected(ctx)):
            take_floor(turns, user)
            minutes = ctx.s.step.turn_minutes
            if minutes is not None:
                ctx.set_timer("turn", ctx.now + ctx.seconds(minutes))
            return
        raise_hand(turns, user)  # the floor goes first to someone who has not had it
        next_speaker(ctx)
        _tell_waiting(ctx, user)
        return
    if turns.speaker is not None:
        ctx.dm(user, "turns.please_wait", speaker=ctx.s.name(turns.speaker))


def contribute(
    ctx: Ctx, items: list[Entry], user: str, text: str, message_id: str, kind: str
) -> None:
    """A contributor writes in a step of raised hands: kept, numbered and acknowledged."""
    _speak_freely(ctx, user)
    entry = add_entry(items, user, text, ctx, message_id)
    ctx.record(kind, user, text, number=str(entry.number))
    ctx.react(message_id)


# -- commands ----------------------------------------------------------------------------------
def _hand(call: Invocation) -> None:
    call.acknowledge()
    hand(call.ctx, call.user, call.direct)


def _done(call: Invocation) -> None:
    call.acknowledge()
    call.ctx.say("turns.thanks", name=call.ctx.s.name(call.user))
    next_speaker(call.ctx)


def _pass(call: Invocation) -> None:
    """The speaker passes; or the facilitator passes the turn of a speaker absent or silent."""
    call.acknowledge()
    s = call.ctx.s
    speaker = s.turns.speaker
    if speaker is not None and speaker != call.user:
        call.ctx.say("turns.passed_for", name=s.name(speaker), facilitator=s.facilitator_name)
        if call.direct:
            call.ctx.dm(call.user, "turns.passed_for_done", name=s.name(speaker))
    else:
        call.ctx.say("turns.passed", name=s.name(call.user))
    next_speaker(call.ctx)


#: The commands of every step of turns.
TURNS: dict[str, CommandHandler] = {"done": _done, "pass": _pass}
#: … and of the steps of raised hands.
HANDS: dict[str, CommandHandler] = {**TURNS, "hand": _hand}
