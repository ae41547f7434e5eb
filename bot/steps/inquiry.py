"""The offerer's situation: exposed, clarified by the contributors' questions, reformulated."""

from bot.context import Ctx
from bot.refs import Floor
from bot.steps.base import (
    StepRules,
    announce,
    enter_with_offerer,
    needs_offerer,
    note,
    text_command,
)
from bot.steps.floor import HANDS, contribute

__all__ = ["CLARIFICATION", "REFORMULATION", "SITUATION", "enter_hands", "set_request"]


def enter_hands(ctx: Ctx) -> None:
    """Announce a step of raised hands: ✋ on its message asks for the floor."""
    s = ctx.s
    announce(ctx, ref=Floor(), offerer=s.name(s.offerer or s.facilitator))


def _situation_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.offerer:
        note(ctx, ctx.s.situation, user, text, message_id, "situation")


SITUATION = StepRules(
    enter=enter_with_offerer, room_text=_situation_written, blocks_jump=needs_offerer
)


def _clarification_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    s = ctx.s
    if user == s.offerer:
        note(ctx, s.answers, user, text, message_id, "answer")
    elif user in s.contributors:
        contribute(ctx, s.questions, user, text, message_id, "clarifying_question")


CLARIFICATION = StepRules(
    enter=enter_hands,
    room_text=_clarification_written,
    commands=HANDS,
    blocks_jump=needs_offerer,
)


# -- reformulation -----------------------------------------------------------------------------
def set_request(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    """The offerer's request for help, new or rewritten."""
    s = ctx.s
    replaced = s.request is not None
    s.request = text
    s.request_message_id = message_id
    ctx.record("help_request", user, text)
    ctx.react(message_id)
    ctx.say("request.noted_again" if replaced else "request.noted", request=text)


def _request_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    if user == ctx.s.offerer:
        set_request(ctx, user, text, message_id)


REFORMULATION = StepRules(
    enter=enter_with_offerer,
    room_text=_request_written,
    commands={"request": text_command(set_request, how="request.how")},
    blocks_jump=needs_offerer,
)
