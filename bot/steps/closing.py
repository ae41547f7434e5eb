"""The closing steps: harvest, action plan, the offerer's and contributors' sharing, feedback."""

from bot.context import Ctx, Invocation
from bot.feelings import feelings_summary
from bot.numbers import whole
from bot.steps.base import (
    StepRules,
    add_entry,
    announce,
    enter_with_offerer,
    needs_offerer,
    note,
)
from bot.steps.floor import TURNS, next_speaker
from bot.turns import start_fixed

__all__ = ["ACTION_PLAN", "CONTRIBUTOR_SHARING", "HARVEST", "HOT_FEEDBACK", "OFFERER_SHARING"]


# -- harvest -----------------------------------------------------------------------------------
def _enter_harvest(ctx: Ctx) -> None:
    s = ctx.s
    if s.contributions:
        listing = "\n".join(f"{c.number}. {c.text} ({s.name(c.author)})" for c in s.contributions)
    else:
        listing = ctx.t("harvest.nothing")
    offerer = s.offerer or s.facilitator
    announce(ctx, mentions=(offerer,), offerer=s.name(offerer), contributions=listing)
    notes = [n for n in s.offerer_notes if n.author == s.offerer]
    if s.offerer and notes:
        ctx.dm(s.offerer, "harvest.your_notes", notes="\n".join(f"- {n.text}" for n in notes))


def _keep(ctx: Ctx, user: str, args: str, *, direct: bool) -> None:
    s = ctx.s
    numbers: list[int] = []
    if not s.contributions:
        ctx.answer(user, direct, "harvest.no_contributions")
        return
    for token in args.replace(",", " ").replace("#", " ").split():
        number = whole(token)
        if number is None or not (1 <= number <= len(s.contributions)):
            count = len(s.contributions)
            ctx.answer(user, direct, "harvest.unknown", token=token[:12], count=count)
            return
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        ctx.answer(user, direct, "harvest.how")
        return
    if len(numbers) > 3:
        ctx.answer(user, direct, "harvest.too_many", count=len(numbers))
        return
    s.kept = numbers
    ctx.record("harvest", user, " ".join(str(n) for n in numbers))
    kept = "\n".join(f"{c.number}. {c.text}" for c in s.contributions if c.number in numbers)
    ctx.say("harvest.kept", kept=kept)
    if len(numbers) == 1:
        ctx.dm(user, "harvest.only_one")


def _looks_like_numbers(text: str) -> bool:
    tokens = text.replace(",", " ").replace("#", " ").split()
    return bool(tokens) and all(t.isdigit() for t in tokens)


def _harvest_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.offerer and _looks_like_numbers(text):
        _keep(ctx, user, text, direct=False)


def _keep_command(call: Invocation) -> None:
    _keep(call.ctx, call.user, call.args, direct=call.direct)


HARVEST = StepRules(
    enter=_enter_harvest,
    room_text=_harvest_written,
    commands={"keep": _keep_command},
    blocks_jump=needs_offerer,
)


# -- action plan -------------------------------------------------------------------------------
def _split_when(text: str) -> tuple[str, str | None]:
    # a French keyboard or phone may type a no-break space before the colon: it is a space
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    lowered = text.lower()
    # "quand :" needs no "@" (which opens the mention menu in Element and Mattermost)
    for marker in ("@when", "@quand", "quand :", "quand:", "when:"):
        at = lowered.find(marker)
        if at >= 0:
            return text[:at].strip(" ,;-"), text[at + len(marker) :].strip(" :") or None
    return text.strip(), None


def _add_action(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    what, when = _split_when(text)
    if not what:
        ctx.dm(user, "action.how")
        return
    entry = add_entry(ctx.s.actions, user, what, ctx, message_id, when=when)
    ctx.record("action", user, what, when=when or "")
    ctx.react(message_id)
    ctx.say(
        "action.noted",
        number=entry.number,
        text=what,
        when=ctx.t("record.when", when=when) if when else "",
    )


def _action_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.offerer:
        _add_action(ctx, user, text, message_id)


def _action_command(call: Invocation) -> None:
    _add_action(call.ctx, call.user, call.args, call.message_id)


ACTION_PLAN = StepRules(
    enter=enter_with_offerer,
    room_text=_action_written,
    commands={"action": _action_command},
    blocks_jump=needs_offerer,
)


# -- sharing -----------------------------------------------------------------------------------
def _offerer_shares(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.offerer:
        note(ctx, ctx.s.sharings, user, text, message_id, "offerer_sharing")


OFFERER_SHARING = StepRules(
    enter=enter_with_offerer, room_text=_offerer_shares, blocks_jump=needs_offerer
)


def _enter_contributor_sharing(ctx: Ctx) -> None:
    s = ctx.s
    s.turns = start_fixed(list(s.contributors))
    announce(ctx)
    next_speaker(ctx)


def _contributor_shares(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.turns.speaker:
        note(ctx, ctx.s.sharings, user, text, message_id, "contributor_sharing")


CONTRIBUTOR_SHARING = StepRules(
    enter=_enter_contributor_sharing,
    room_text=_contributor_shares,
    commands=TURNS,
    blocks_jump=needs_offerer,
)


# -- hot feedback ------------------------------------------------------------------------------
def _add_feeling(ctx: Ctx, user: str, text: str, message_id: str | None, *, direct: bool) -> None:
    head, _, rest = text.strip().partition(" ")
    score: int | None = None
    if head.isdigit():  # "²" too: a score typed wrong is answered, not taken as words
        score = whole(head)
        if score is None or not 1 <= score <= 5:
            ctx.dm(user, "feeling.scale")
            return
        text = rest.strip()
    add_entry(ctx.s.feelings, user, text, ctx, message_id, score=score)
    ctx.record("hot_feedback", user, text, score=str(score or ""))
    if message_id:
        ctx.react(message_id)
    else:
        ctx.dm(user, "feeling.thanks")


def _member(ctx: Ctx, user: str) -> bool:
    return user in ctx.s.participants or user == ctx.s.facilitator


def _feeling_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if _member(ctx, user):
        _add_feeling(ctx, user, text, message_id, direct=False)


def _feeling_sent(ctx: Ctx, user: str, text: str) -> bool:
    if _member(ctx, user):
        _add_feeling(ctx, user, text, None, direct=True)
        return True
    return False


def _feeling_command(call: Invocation) -> None:
    if not call.args:
        call.tell("feeling.scale")
        return
    _add_feeling(call.ctx, call.user, call.args, call.message_id, direct=call.direct)


def _finish_feedback(ctx: Ctx) -> bool:
    """The group hears its hot feedback, summarised without names."""
    summary = feelings_summary(ctx.s)
    if summary is not None:
        ctx.say_text("feeling.summary", summary)
    return True


HOT_FEEDBACK = StepRules(
    enter=announce,
    finish=_finish_feedback,
    room_text=_feeling_written,
    takes_direct=_member,
    direct_text=_feeling_sent,
    commands={"feeling": _feeling_command},
)
