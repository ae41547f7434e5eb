"""Consent: the chosen problem's author says yes (and becomes the offerer) or no (next one)."""

from bot import buttons
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.refs import Consent, encode
from bot.state import AtelierState
from bot.steps.base import CommandHandler, StepRules, announce, set_deadline, step_seconds
from bot.steps.flow import move_on

__all__ = ["CONSENT", "author_of_chosen", "on_consent_reaction"]


def author_of_chosen(s: AtelierState) -> str | None:
    """Who wrote the problem whose author is being asked for consent."""
    if s.chosen is None:
        return None
    problem = s.problem(s.chosen)
    return problem.author if problem else None


def _enter(ctx: Ctx) -> None:
    s = ctx.s
    s.offerer = None
    s.chosen = None
    announce(ctx)
    _ask(ctx)


def _ask(ctx: Ctx) -> None:
    """Ask the author of the best-ranked problem not declined yet."""
    s = ctx.s
    left = [n for n in s.ranking if n not in s.declined and s.problem(n) is not None]
    if not left:
        s.chosen = None
        ctx.clear_timer("step")
        ctx.clear_timer("warning")
        ctx.say("consent.nobody_left")
        ctx.dm(s.facilitator, "facilitator.nobody_left")
        return
    number = left[0]
    problem = s.problem(number)
    assert problem is not None
    s.chosen = number
    ctx.say(
        "consent.ask",
        mentions=(problem.author,),
        ref=encode(Consent(number=number)),
        buttons=buttons.consent(ctx),
        name=s.name(problem.author),
        number=number,
        text=problem.text,
    )


def _answer(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    assert s.chosen is not None
    number = s.chosen
    ctx.record("consent", user, "yes" if yes else "no", problem=str(number))
    if not yes:
        s.declined.append(number)
        ctx.say("consent.declined", name=s.name(user))
        set_deadline(ctx, step_seconds(ctx, s.step))
        _ask(ctx)
        return
    s.offerer = user
    ctx.say("consent.accepted", name=s.name(user), number=number)
    _hand_out_roles(ctx)
    move_on(ctx)


def _hand_out_roles(ctx: Ctx) -> None:
    s = ctx.s
    ctx.dm(s.facilitator, "roles.facilitator", name=s.facilitator_name)
    assert s.offerer is not None
    ctx.dm(s.offerer, "roles.offerer", name=s.name(s.offerer))
    for user in s.contributors:
        ctx.dm(user, "roles.contributor", name=s.name(user), offerer=s.name(s.offerer))
    roles = ctx.t(
        "roles.summary",
        facilitator=s.facilitator_name,
        offerer=s.name(s.offerer),
        contributors=", ".join(s.name(u) for u in s.contributors) or "—",
    )
    ctx.say_text("roles.summary", roles)


def _finish(ctx: Ctx) -> bool:
    s = ctx.s
    if s.offerer is not None:
        return True
    if s.chosen is not None:  # the facilitator moves on without an answer: next problem
        s.declined.append(s.chosen)
        ctx.say("consent.skipped", number=s.chosen)
    set_deadline(ctx, step_seconds(ctx, s.step))
    _ask(ctx)
    return False


def _deadline(ctx: Ctx) -> bool:
    """Time is up and the author has not answered: wait for them, and tell the facilitator."""
    s = ctx.s
    if s.offerer is not None or s.chosen is None:
        return False
    problem = s.problem(s.chosen)
    author = problem.author if problem else s.facilitator
    ctx.say("consent.waiting", mentions=(author,), name=s.name(author))
    ctx.dm(s.facilitator, "facilitator.consent_waiting", name=s.name(author))
    return True


def _needs_choice(ctx: Ctx) -> str | None:
    return None if ctx.s.ranking else "goto.needs_choice"


def _refuse_other(ctx: Ctx, user: str) -> None:
    ctx.dm(user, "refusal.only_chosen_author", name=ctx.s.name(author_of_chosen(ctx.s) or ""))


def _yes_or_no(yes: bool) -> CommandHandler:
    def handler(call: Invocation) -> None:
        s = call.ctx.s
        if s.chosen is None or call.user != author_of_chosen(s):
            _refuse_other(call.ctx, call.user)
            return
        call.acknowledge()
        _answer(call.ctx, call.user, yes)

    return handler


def on_consent_reaction(ctx: Ctx, ref: Consent, user: str, key: str) -> None:
    """✅ or ❌ on the consent question: only its author's counts."""
    s = ctx.s
    if key not in ("yes", "no") or s.kind is not StepKind.CONSENT:
        return
    if ref.number == s.chosen and user == author_of_chosen(s):
        _answer(ctx, user, key == "yes")
    elif user != s.facilitator:
        _refuse_other(ctx, user)


def _asked(ctx: Ctx, user: str) -> bool:
    return user == author_of_chosen(ctx.s)


CONSENT = StepRules(
    enter=_enter,
    finish=_finish,
    deadline=_deadline,
    commands={"yes": _yes_or_no(True), "no": _yes_or_no(False)},
    offers_commands=_asked,
    blocks_jump=_needs_choice,
)
