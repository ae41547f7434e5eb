"""The facilitator's steering commands: next, extend, shorten, pause, resume, back, goto, end.

Typed in a private message to the bot, or in the room by the facilitator. A jump (``back``,
``goto``) enters a step only if its rules allow it now (``StepRules.blocks_jump``).
"""

from bot import buttons, clock
from bot.context import Invocation
from bot.formats import StepKind
from bot.permissions import shown
from bot.steps import (
    STEPS,
    CommandHandler,
    advance,
    conclude_record,
    finish_atelier,
    planned_end,
    start_step,
    title,
)
from bot.steps.base import positive_number
from bot.steps.naming import find_step
from bot.steps.timekeeping import END_TIMER

__all__ = ["HANDLERS"]


def _confirm(call: Invocation) -> None:
    """Tell the facilitator, in private, that it is done."""
    if call.direct and call.ctx.has_atelier:
        ctx = call.ctx
        body = ctx.t("facilitator.done", title=title(ctx, ctx.s.kind))
        ctx.dm_text(call.user, "facilitator.done", body, buttons=buttons.steering(ctx))


def _next(call: Invocation) -> None:
    call.acknowledge()
    advance(call.ctx)
    _confirm(call)


# -- time --------------------------------------------------------------------------------------
def _extend(call: Invocation) -> None:
    _change_time(call, "extend", sign=1)


def _shorten(call: Invocation) -> None:
    _change_time(call, "shorten", sign=-1)


def _change_time(call: Invocation, command: str, *, sign: int) -> None:
    ctx, user = call.ctx, call.user
    s = ctx.s
    minutes = positive_number(call.args)
    if minutes is None:
        call.tell("facilitator.minutes_needed", command=shown(ctx, command))
        return
    left = ctx.remaining("step") or 0.0
    new_left = max(0.0, left + sign * ctx.seconds(minutes))
    deadline = ctx.now + new_left
    ctx.set_timer("step", deadline)
    one_minute = ctx.seconds(1)
    if new_left > one_minute:
        ctx.set_timer("warning", deadline - one_minute)
    else:
        ctx.clear_timer("warning")
    planned = planned_end(ctx)
    ctx.say(
        "time.extended" if sign > 0 else "time.shortened",
        minutes=clock.minutes_text(ctx.seconds(minutes), s.seconds_per_minute, ctx.lang),
        title=title(ctx, s.kind),
        step_end=clock.clock(deadline, s.timezone),
    )
    # past the announced end, the facilitator is told by how much (steps.watch_plan)
    ctx.dm(user, "facilitator.planned_end", planned=clock.clock(planned, s.timezone))


def _pause(call: Invocation) -> None:
    ctx = call.ctx
    s = ctx.s
    if s.paused is not None:
        call.tell("pause.already")
        return
    frozen = {n: at for n, at in s.timers.items() if n != END_TIMER}  # the clock goes on
    s.paused = {n: max(0.0, at - ctx.now) for n, at in frozen.items()}
    s.timers = {n: at for n, at in s.timers.items() if n not in frozen}
    ctx.say("pause.paused", facilitator=s.facilitator_name)
    _confirm(call)


def _resume(call: Invocation) -> None:
    ctx = call.ctx
    s = ctx.s
    if s.paused is None:
        call.tell("pause.not_paused")
        return
    s.timers = {**s.timers, **{n: ctx.now + left for n, left in s.paused.items()}}
    s.paused = None
    left = ctx.remaining("step")
    ctx.say(
        "pause.resumed",
        title=title(ctx, s.kind),
        minutes=clock.minutes_text(left or 0, s.seconds_per_minute, ctx.lang),
    )
    _confirm(call)


# -- jumps -------------------------------------------------------------------------------------
def _back(call: Invocation) -> None:
    s = call.ctx.s
    if s.step_index == 0:
        call.tell("goto.at_start")
        return
    _jump(call, s.step_index - 1)


def _goto(call: Invocation) -> None:
    s = call.ctx.s
    target = find_step(s, call.args)
    if target is None:
        listing = ", ".join(
            f"{i + 1} ({title(call.ctx, step.kind)})" for i, step in enumerate(s.format.steps)
        )
        call.tell("goto.unknown", target=call.args or "?", steps=listing)
        return
    _jump(call, target)


def _jump(call: Invocation, index: int) -> None:
    ctx = call.ctx
    s = ctx.s
    kind = s.format.steps[index].kind
    rules = STEPS[kind]
    blocked = rules.blocks_jump(ctx) if rules.blocks_jump is not None else None
    if blocked is not None:
        call.tell(blocked, title=title(ctx, kind))
        return
    if rules.rewind is not None and index < s.step_index:
        rules.rewind(ctx)
    ctx.say("goto.moved", title=title(ctx, kind))
    start_step(ctx, index)
    _confirm(call)


def _end(call: Invocation) -> None:
    """End the atelier, through the record step when there is one to go through."""
    ctx = call.ctx
    s = ctx.s
    record_index = s.format.index_of(StepKind.RECORD)
    if s.kind is StepKind.RECORD or record_index is None or s.offerer is None:
        if s.kind is StepKind.RECORD:
            conclude_record(ctx)
        finish_atelier(ctx)
        return
    ctx.say("end.to_record")
    start_step(ctx, record_index)


HANDLERS: dict[str, CommandHandler] = {
    "next": _next,
    "extend": _extend,
    "shorten": _shorten,
    "pause": _pause,
    "resume": _resume,
    "back": _back,
    "goto": _goto,
    "end": _end,
}
