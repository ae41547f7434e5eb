"""Someone rewrites one of their messages: the input it gave is rewritten too."""

from bot.context import Ctx
from bot.formats import StepKind
from bot.steps.inquiry import set_request
from bot.steps.problems import submit_problem

__all__ = ["on_edit"]


def on_edit(ctx: Ctx, user: str, message_id: str, text: str) -> None:
    """The message ``message_id`` of ``user`` now reads ``text`` (its command word removed)."""
    s = ctx.s
    if s.request_message_id == message_id and user == s.offerer:
        set_request(ctx, user, text, message_id)
        return
    for problem in s.problems:
        if problem.message_id == message_id and problem.author == user:
            if s.kind is StepKind.PROBLEM_SEARCH:
                submit_problem(ctx, user, text, message_id)
            return
    lists = (s.rules, s.questions, s.contributions, s.actions, s.sharings, s.situation, s.answers)
    for items in lists:
        for index, entry in enumerate(items):
            if entry.message_id == message_id and entry.author == user:
                items[index] = entry.model_copy(update={"text": text})
                ctx.record("edit", user, text, message=message_id)
                return
