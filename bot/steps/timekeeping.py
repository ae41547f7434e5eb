"""The announced end is the boss: the plan is checked after every decision.

``watch_plan`` runs after each event the engine handles. Whatever changed the plan — a pause
and its resume, a jump back or forward, a step that waited for the facilitator, a tie's
re-vote, a declined consent, an extension — the planned end is recomputed; once it passes the
announced end the facilitator is told privately by how much, and what the bot proposes. They
are told again only if the overrun grows by ``REMIND_AFTER`` more minutes (or after it was
back within the time).

``on_announced_end`` fires once, at the announced end itself, with the facilitator's choices.
"""

from bot import clock
from bot.context import Ctx
from bot.formats import StepKind
from bot.steps.base import planned_end, step_seconds, title

__all__ = [
    "END_TIMER",
    "REMIND_AFTER",
    "entry_seconds",
    "on_announced_end",
    "say_sizing",
    "watch_plan",
]

#: the timer of the announced end (a clock time: a pause does not move it)
END_TIMER = "end"
#: minutes of more overrun before the facilitator is told again
REMIND_AFTER = 5
#: an overrun shorter than this (in minutes) is rounding, not news
TOLERANCE = 1


def watch_plan(ctx: Ctx) -> None:
    s = ctx.s
    if s.finished or s.paused is not None or s.announced_end is None:
        return
    overrun = planned_end(ctx) - s.announced_end
    if overrun <= ctx.seconds(TOLERANCE):
        s.warned_overrun = None
        return
    last = s.warned_overrun
    if last is not None and overrun < last + ctx.seconds(REMIND_AFTER):
        return
    s.warned_overrun = overrun
    ctx.dm(
        s.facilitator,
        "plan.overrun",
        planned=clock.clock(planned_end(ctx), s.timezone),
        end=clock.clock(s.announced_end, s.timezone),
        minutes=clock.minutes_text(overrun, s.seconds_per_minute, ctx.lang),
        proposal=_proposal(ctx, overrun),
    )


def _proposal(ctx: Ctx, overrun: float) -> str:
    """Shorten the current step if it can absorb the overrun, else the longest step to come,
    else go to the record."""
    s = ctx.s
    minutes = clock.minutes_text(overrun, s.seconds_per_minute, ctx.lang)
    left = ctx.remaining("step") or 0.0
    if left > overrun:
        return ctx.t("plan.propose_shorten_now", minutes=minutes)
    later = [
        (step_seconds(ctx, step), step.kind)
        for step in s.format.steps[s.step_index + 1 :]
        if step.kind is not StepKind.RECORD
    ]
    longest = max(later, default=None, key=lambda pair: pair[0])
    if longest is not None and longest[0] > overrun:
        return ctx.t("plan.propose_shorten_later", minutes=minutes, title=title(ctx, longest[1]))
    return ctx.t("plan.propose_record")


def on_announced_end(ctx: Ctx) -> None:
    """The announced end has come: the facilitator chooses, once."""
    s = ctx.s
    ctx.clear_timer(END_TIMER)
    ctx.dm(
        s.facilitator,
        "plan.end_reached",
        end=clock.clock(s.announced_end or ctx.now, s.timezone),
        title=title(ctx, s.kind),
    )


def entry_seconds(ctx: Ctx) -> float:
    """How long the step beginning now lasts: its planned time, or — for a step with bounds —
    what the announced end leaves once the later steps have their planned time."""
    s = ctx.s
    step = s.step
    nominal = step_seconds(ctx, step)
    if step.min_minutes is None or step.max_minutes is None or s.announced_end is None:
        return nominal
    later = sum(step_seconds(ctx, other) for other in s.format.steps[s.step_index + 1 :])
    available = s.announced_end - ctx.now - later
    return min(ctx.seconds(step.max_minutes), max(ctx.seconds(step.min_minutes), available))


def say_sizing(ctx: Ctx, duration: float) -> None:
    """A step sized from the time left says so (and why), when it differs from its plan."""
    s = ctx.s
    if abs(duration - step_seconds(ctx, s.step)) < ctx.seconds(0.5):
        return
    ctx.say(
        "plan.sized",
        title=title(ctx, s.kind),
        minutes=clock.minutes_text(duration, s.seconds_per_minute, ctx.lang),
        end=clock.clock(s.announced_end or ctx.now, s.timezone),
    )
