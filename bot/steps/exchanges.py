"""Individual reflection (private rebounds) and the contributors' exchanges."""

from bot.context import Ctx
from bot.steps.base import StepRules, add_entry, enter_with_offerer, needs_offerer
from bot.steps.floor import HANDS, contribute
from bot.steps.inquiry import enter_hands

__all__ = ["EXCHANGES", "REFLECTION"]


def _enter_reflection(ctx: Ctx) -> None:
    enter_with_offerer(ctx)
    for user in ctx.s.contributors:
        ctx.dm(user, "reflection.dm_invite", name=ctx.s.name(user))


def _takes_rebound(ctx: Ctx, user: str) -> bool:
    return user in ctx.s.contributors


def _rebound_written(ctx: Ctx, user: str, text: str) -> bool:
    s = ctx.s
    if user in s.contributors:
        entry = add_entry(s.rebounds, user, text, ctx, None)
        ctx.record("rebound", user, text)
        ctx.dm(user, "reflection.noted", number=entry.number)
        return True
    if user == s.offerer:
        ctx.dm(user, "reflection.offerer_rests")
        return True
    return False


REFLECTION = StepRules(
    enter=_enter_reflection,
    takes_direct=_takes_rebound,
    direct_text=_rebound_written,
    blocks_jump=needs_offerer,
)


def _enter_exchanges(ctx: Ctx) -> None:
    s = ctx.s
    enter_hands(ctx)
    for user in s.contributors:
        mine = [r.text for r in s.rebounds if r.author == user]
        if mine:
            ctx.dm(user, "exchanges.your_rebounds", rebounds="\n".join(f"- {r}" for r in mine))


def _offerer_note(ctx: Ctx, user: str, text: str, message_id: str | None) -> int:
    """The offerer listens and takes notes: each note is kept for the harvest."""
    entry = add_entry(ctx.s.offerer_notes, user, text, ctx, message_id)
    ctx.record("offerer_note", user, text, number=str(entry.number))
    return entry.number


def _exchange_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    s = ctx.s
    if user == s.offerer:
        number = _offerer_note(ctx, user, text, message_id)
        ctx.dm(user, "exchanges.offerer_listens", number=number)
    elif user in s.contributors:
        contribute(ctx, s.contributions, user, text, message_id, "contribution")


def _takes_private_note(ctx: Ctx, user: str) -> bool:
    return user in ctx.s.contributors or user == ctx.s.offerer


def _private_note(ctx: Ctx, user: str, text: str) -> bool:
    """A contributor's private message is still a rebound; the offerer's, a note."""
    s = ctx.s
    if user == s.offerer:
        ctx.dm(user, "exchanges.note_kept", number=_offerer_note(ctx, user, text, None))
        return True
    if user in s.contributors:
        entry = add_entry(s.rebounds, user, text, ctx, None)
        ctx.record("rebound", user, text)
        ctx.dm(user, "exchanges.rebound_noted", number=entry.number)
        return True
    return False


EXCHANGES = StepRules(
    enter=_enter_exchanges,
    room_text=_exchange_written,
    takes_direct=_takes_private_note,
    direct_text=_private_note,
    commands=HANDS,
    blocks_jump=needs_offerer,
)
