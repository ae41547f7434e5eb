"""Moving between steps, read from the table of steps: enter, finish, deadlines."""

from bot import buttons, clock, cycles
from bot.context import Ctx
from bot.formats import StepKind
from bot.steps.base import StepRules, set_deadline, title
from bot.steps.timekeeping import entry_seconds, say_sizing

__all__ = [
    "advance",
    "finish_atelier",
    "move_on",
    "on_deadline",
    "on_warning",
    "rules_of",
    "start_step",
]

STEP_TIMERS = ("step", "warning", "turn")


def rules_of(kind: StepKind) -> StepRules:
    # The table imports every step module, and they import this one: read it when called.
    from bot.steps import STEPS

    return STEPS[kind]


def start_step(ctx: Ctx, index: int) -> None:
    s = ctx.s
    for name in STEP_TIMERS:
        ctx.clear_timer(name)
    s.turns.speaker = None
    s.turns.queue = []
    s.turns.spoken = {}
    s.tie = None
    s.step_index = index
    s.step_started_at = ctx.now
    duration = entry_seconds(ctx)
    set_deadline(ctx, duration)
    rules_of(s.kind).enter(ctx)
    if s.step_index == index == len(s.format.steps) - 1 and not s.finished:
        cycles.ask_carry(ctx)
    if s.step_index == index and not s.finished:
        say_sizing(ctx, duration)
        if s.step.optional:
            ctx.dm(s.facilitator, "plan.optional_step", title=title(ctx, s.kind))


def move_on(ctx: Ctx) -> None:
    """Go to the next step without running the current step's closing (already done)."""
    s = ctx.s
    if s.step_index + 1 >= len(s.format.steps):
        finish_atelier(ctx)
    else:
        start_step(ctx, s.step_index + 1)


def advance(ctx: Ctx) -> None:
    """Close the current step (which may hold us here: a tie, no problem yet…) and move on."""
    if not rules_of(ctx.s.kind).finish(ctx):
        return
    if ctx.s.finished:
        return
    move_on(ctx)


def finish_atelier(ctx: Ctx) -> None:
    s = ctx.s
    for name in list(s.timers):
        ctx.clear_timer(name)
    s.paused = None
    cycles.at_end(ctx)
    s.finished = True
    ctx.say("atelier.finished", title=s.format.title(ctx.lang))


def on_deadline(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("step")
    ctx.clear_timer("warning")
    own = rules_of(s.kind).deadline
    if own is not None and own(ctx):
        return
    if s.step.waits_for_facilitator:
        ctx.say("step.time_up_waiting", title=title(ctx, s.kind))
        body = ctx.t("facilitator.time_up", title=title(ctx, s.kind))
        steering = buttons.steering(ctx, pause=False)
        ctx.dm_text(s.facilitator, "facilitator.time_up", body, buttons=steering)
        return
    ctx.say("step.time_up", title=title(ctx, s.kind))
    advance(ctx)


def on_warning(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("warning")
    left = ctx.remaining("step") or 0.0
    ctx.say(
        "step.warning",
        title=title(ctx, s.kind),
        minutes=clock.minutes_text(left, s.seconds_per_minute, ctx.lang),
    )
    own = rules_of(s.kind).warning
    if own is not None:
        own(ctx)
