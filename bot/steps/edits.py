"""Someone rewrites or deletes one of their messages: the input it gave is rewritten, or
withdrawn, too. A room moderator may withdraw anyone's; nobody else may withdraw another's."""

from bot.context import Ctx
from bot.formats import StepKind
from bot.state import AtelierState, Entry
from bot.steps.inquiry import set_request
from bot.steps.problems import submit_problem
from bot.steps.record import draft_changed, in_round

__all__ = ["on_edit", "on_removed"]


def on_edit(ctx: Ctx, user: str, message_id: str, text: str) -> None:
    """The message ``message_id`` of ``user`` now reads ``text`` (its command word removed)."""
    s = ctx.s
    if in_round(ctx):
        if _is_input(ctx, user, message_id):
            ctx.dm(user, "record.edit_frozen")  # people consent to the text they were shown
        return
    if s.request_message_id == message_id and user == s.offerer:
        set_request(ctx, user, text, message_id)
        draft_changed(ctx)
        return
    for problem in s.problems:
        if problem.message_id == message_id and problem.author == user:
            if s.kind is StepKind.PROBLEM_SEARCH:
                submit_problem(ctx, user, text, message_id)
            return
    for items in _entry_lists(s):
        for index, entry in enumerate(items):
            if entry.message_id == message_id and entry.author == user:
                items[index] = entry.model_copy(update={"text": text})
                ctx.record("edit", user, text, message=message_id)
                draft_changed(ctx)
                return


def on_removed(ctx: Ctx, user: str, message_id: str, moderator: bool) -> None:
    """The message ``message_id`` was deleted by ``user``: what it gave is no longer an input.

    Withdrawing only ever shares less: it is taken into account even while people consent to
    the record. A contribution keeps its number (the others are not renumbered)."""
    s = ctx.s

    def may(author: str) -> bool:
        return author == user or moderator

    if s.request_message_id == message_id and s.offerer is not None and may(s.offerer):
        s.request, s.request_message_id = None, None
        _withdrawn(ctx, user, s.offerer, message_id)
        return
    for problem in s.problems:
        if problem.message_id == message_id and may(problem.author):
            if s.kind is StepKind.PROBLEM_SEARCH:  # once on the ballot, it stays for the vote
                s.problems.remove(problem)
                _withdrawn(ctx, user, problem.author, message_id)
            return
    for items in (*_entry_lists(s), s.feelings):
        for entry in items:
            if entry.message_id == message_id and may(entry.author):
                items.remove(entry)
                if items is s.contributions and entry.number in s.kept:
                    s.kept.remove(entry.number)
                _withdrawn(ctx, user, entry.author, message_id)
                return


def _withdrawn(ctx: Ctx, user: str, author: str, message_id: str) -> None:
    ctx.record("withdrawn", user, "", message=message_id, of=author)
    ctx.dm(author, "safety.withdrawn")
    draft_changed(ctx)


def _is_input(ctx: Ctx, user: str, message_id: str) -> bool:
    """Whether that message of that person gave the atelier one of its inputs."""
    s = ctx.s
    if s.request_message_id == message_id and user == s.offerer:
        return True
    lists = _entry_lists(s)
    return any(e.message_id == message_id and e.author == user for items in lists for e in items)


def _entry_lists(s: AtelierState) -> tuple[list[Entry], ...]:
    """The state's lists of written inputs that an edit rewrites."""
    return (s.rules, s.questions, s.contributions, s.actions, s.sharings, s.situation, s.answers)
