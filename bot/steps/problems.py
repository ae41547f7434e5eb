"""Problem search (each participant writes one problem) and problem sharing (each presents it)."""

from bot import clock, cycles
from bot.context import Ctx
from bot.state import Problem
from bot.steps.base import StepRules, announce, note, text_command
from bot.steps.choice import new_vote
from bot.steps.floor import TURNS, next_speaker
from bot.turns import start_fixed

__all__ = ["PROBLEM_SEARCH", "PROBLEM_SHARING", "submit_problem"]


# -- problem search ----------------------------------------------------------------------------
def submit_problem(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    """Someone's problem, new or replacing their earlier one."""
    s = ctx.s
    cycles.replaced(ctx, user)
    existing = s.problem_of(user)
    if existing is not None and existing.number in s.declined:
        s.problems.remove(existing)  # its author declined it: rewritten, it is a new problem
        existing = None
    if existing is not None:
        replaced = existing.model_copy(
            update={"text": text, "at": ctx.now, "message_id": message_id}
        )
        s.problems[s.problems.index(existing)] = replaced
        number = existing.number
        key = "problem.replaced"
    else:
        number = max((p.number for p in s.problems), default=0) + 1
        s.problems.append(
            Problem(number=number, author=user, text=text, at=ctx.now, message_id=message_id)
        )
        key = "problem.received"
    ctx.record("problem", user, text, number=str(number))
    ctx.react(message_id)
    ctx.dm(user, key, number=number, text=text)


def _enter_search(ctx: Ctx) -> None:
    announce(ctx)
    for user in ctx.s.participants:
        if user not in ctx.s.carried:  # who carried one is asked about it instead
            ctx.dm(user, "problem.dm_invite", name=ctx.s.name(user))
    cycles.propose_carried(ctx)


def _finish_search(ctx: Ctx) -> bool:
    s = ctx.s
    if s.problems:
        return True
    ctx.clear_timer("step")
    ctx.clear_timer("warning")
    ctx.say("problem.none_yet")
    ctx.dm(s.facilitator, "facilitator.no_problem")
    return False


def _takes_problem(ctx: Ctx, user: str) -> bool:
    return user in ctx.s.participants


def _problem_written(ctx: Ctx, user: str, text: str) -> bool:
    if user in ctx.s.participants:
        submit_problem(ctx, user, text, None)
        return True
    if user == ctx.s.facilitator:
        ctx.dm(user, "problem.facilitator_has_none")
        return True
    return False


def _reopen_search(ctx: Ctx) -> None:
    """Back to the problem search (every author declined, say): the vote starts over."""
    new_vote(ctx.s)


PROBLEM_SEARCH = StepRules(
    enter=_enter_search,
    rewind=_reopen_search,
    finish=_finish_search,
    takes_direct=_takes_problem,
    direct_text=_problem_written,
    commands={
        "problem": text_command(submit_problem, how="problem.how"),
        "yes": cycles.confirm_carried,
        "no": cycles.withdraw_carried,
    },
)


# -- problem sharing ---------------------------------------------------------------------------
def _enter_sharing(ctx: Ctx) -> None:
    s = ctx.s
    order = [
        p.author for p in sorted(s.problems, key=lambda p: p.number) if p.author in s.participants
    ]
    s.turns = start_fixed(order)
    announce(ctx, count=len(order))
    next_speaker(ctx)


def _presentation_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.turns.speaker:
        note(ctx, ctx.s.presentations, user, text, message_id, "presentation")


def _needs_problems(ctx: Ctx) -> str | None:
    return None if ctx.s.problems else "goto.needs_problems"


def _waiting_presenters(ctx: Ctx) -> list[str]:
    s = ctx.s
    return [u for u in s.turns.queue if s.problem_of(u) is not None]


def _sharing_nearly_over(ctx: Ctx) -> None:
    """Before anyone is cut: the facilitator hears who has not presented yet."""
    s = ctx.s
    waiting = _waiting_presenters(ctx)
    if not waiting:
        return
    minutes = (s.step.turn_minutes or 2) * len(waiting)
    ctx.dm(
        s.facilitator,
        "plan.presenters_waiting",
        count=len(waiting),
        names=", ".join(s.name(u) for u in waiting),
        minutes=clock.minutes_text(ctx.seconds(minutes), s.seconds_per_minute, ctx.lang),
    )


def _finish_sharing(ctx: Ctx) -> bool:
    """The problems whose author never had the floor are marked so on the ballot."""
    s = ctx.s
    waiting = set(_waiting_presenters(ctx))
    s.unpresented = [p.number for p in s.problems if p.author in waiting]
    return True


PROBLEM_SHARING = StepRules(
    enter=_enter_sharing,
    finish=_finish_sharing,
    warning=_sharing_nearly_over,
    room_text=_presentation_written,
    commands=TURNS,
    blocks_jump=_needs_problems,
)
