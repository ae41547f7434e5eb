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


def _exchange_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    s = ctx.s
    if user == s.offerer:
        ctx.record("offerer_note", user, text)
        ctx.dm(user, "exchanges.offerer_listens")
    elif user in s.contributors:
        contribute(ctx, s.contributions, user, text, message_id, "contribution")


EXCHANGES = StepRules(
    enter=_enter_exchanges,
    room_text=_exchange_written,
    commands=HANDS,
    blocks_jump=needs_offerer,
)
