"""Cycles: a room's sessions follow one another (issue 16 §3).

The room remembers who has already offered a situation there, and the problems their authors
chose to carry to the next session. The engine never reads the store: an atelier asks at its
start (``CycleQuery``) and the runtime hands the answer back (``CycleFound``).

- **Equal votes**: among the problems tied at the top, those whose author has not offered a
  situation in this room yet come first; the usual rule (the facilitator, a re-vote, then the
  first presented) applies among what is left. A decline moves to the next by votes, with the
  same rule among equal counts.
- **Carried problems**: when the last step begins, each author of a problem not chosen is
  asked, privately, whether to carry it (``reporter``); at the next problem search, each
  carried problem is proposed again to its author only, who confirms (``oui``), withdraws
  (``non``) or writes another. Nothing reaches the group without that confirmation. A carried
  problem is private: kept under the room's retention period (``bot/retention.py``), listed by
  ``mes-données``, erased by ``oublie-moi``.
"""

from collections.abc import Collection

from bot.context import Ctx, Invocation
from bot.effects import Carry, CycleQuery, Offered
from bot.events import CycleFound
from bot.formats import StepKind
from bot.ids import UserId
from bot.state import AtelierState

__all__ = [
    "HANDLERS",
    "ask_carry",
    "ask_memory",
    "at_end",
    "confirm_carried",
    "forget",
    "newcomers",
    "on_found",
    "propose_carried",
    "replaced",
    "withdraw_carried",
]


def ask_memory(ctx: Ctx) -> None:
    """A new atelier asks what its room remembers."""
    ctx.effects.append(CycleQuery(room=ctx.room, atelier_id=ctx.s.id))


def on_found(ctx: Ctx, found: CycleFound) -> None:
    s = ctx.s
    if found.atelier_id != s.id or s.cycle_known:
        return
    s.cycle_known = True
    s.past_offerers = sorted(set(found.offerers))
    s.carried = {author: text for author, text in found.carried if text}
    if s.kind is StepKind.PROBLEM_SEARCH:
        propose_carried(ctx)


# -- equal votes -------------------------------------------------------------------------------
def newcomers(s: AtelierState, numbers: Collection[int]) -> list[int]:
    """Those of ``numbers`` whose author has not yet offered a situation in this room."""
    out = []
    for number in numbers:
        problem = s.problem(number)
        if problem is not None and problem.author not in s.past_offerers:
            out.append(number)
    return out


# -- carrying a problem to the next session ----------------------------------------------------
def ask_carry(ctx: Ctx) -> None:
    """The last step begins: the authors of the problems not chosen may carry theirs."""
    s = ctx.s
    for problem in s.problems:
        author = problem.author
        if (
            problem.number == s.chosen
            or author == s.offerer
            or author not in s.participants
            or author in s.carry_asked
            or s.people.get(author) is None
            or s.people[author].forgotten
        ):
            continue
        s.carry_asked.append(author)
        ctx.dm(author, "carry.ask", number=problem.number, text=problem.text, days=_days(s))


def _carry(call: Invocation) -> None:
    """``reporter`` (``carry``): carry one's problem not chosen; ``reporter non`` takes it back."""
    ctx, s, user = call.ctx, call.ctx.s, call.user
    problem = s.problem_of(user)
    if problem is None or problem.number == s.chosen:  # only the asked get here (permissions)
        call.tell("carry.not_now")
        return
    if call.args.strip().lower() in ("non", "no"):
        ctx.effects.append(Carry(room=ctx.room, author=UserId(user)))
        call.tell("carry.taken_back")
        return
    ctx.effects.append(Carry(room=ctx.room, author=UserId(user), text=problem.text))
    call.acknowledge()
    call.tell("carry.kept", days=_days(s), prefix=call.prefix)


HANDLERS = {"carry": _carry}


def propose_carried(ctx: Ctx) -> None:
    """At the problem search, each carried problem goes back to its author, privately."""
    s = ctx.s
    for author, text in s.carried.items():
        if author in s.participants and author not in s.carried_asked:
            s.carried_asked.append(author)
            ctx.dm(author, "carry.proposed", text=text, prefix=s.prefix)


def confirm_carried(call: Invocation) -> None:
    """``oui`` at the problem search: the carried problem becomes this session's."""
    from bot.steps.problems import submit_problem  # the step imports this module

    ctx, s, user = call.ctx, call.ctx.s, call.user
    text = s.carried.get(user)
    if text is None:
        _nothing_carried(call)
        return
    _drop(ctx, user)
    submit_problem(ctx, user, text, call.message_id)


def withdraw_carried(call: Invocation) -> None:
    """``non`` at the problem search: the carried problem is withdrawn, and forgotten."""
    ctx, user = call.ctx, call.user
    if user not in ctx.s.carried:
        _nothing_carried(call)
        return
    _drop(ctx, user)
    call.tell("carry.withdrawn", prefix=call.prefix)


def _nothing_carried(call: Invocation) -> None:
    """``oui`` / ``non`` from someone with no carried problem: answered privately; in the room
    it is someone's word in the conversation ("oui" alone), not a question to the bot."""
    if call.direct:
        call.tell("carry.nothing_carried", prefix=call.prefix)


def replaced(ctx: Ctx, user: str) -> None:
    """Someone with a carried problem wrote another one: the carried one is withdrawn."""
    if user in ctx.s.carried:
        _drop(ctx, user)


def _drop(ctx: Ctx, user: str) -> None:
    ctx.s.carried.pop(user, None)
    ctx.effects.append(Carry(room=ctx.room, author=UserId(user)))


# -- the end, and forget-me --------------------------------------------------------------------
def at_end(ctx: Ctx) -> None:
    """The room remembers who offered the situation (until that person asks to be forgotten)."""
    s = ctx.s
    person = s.people.get(s.offerer or "")
    if s.offerer and person is not None and not person.forgotten:
        ctx.effects.append(Offered(room=ctx.room, user=UserId(s.offerer)))


def forget(s: AtelierState, person: str) -> None:
    """``oublie-moi``: their carried problem and their past as an offerer go from the state
    (the store erases its own rows)."""
    s.carried.pop(person, None)
    s.past_offerers = [u for u in s.past_offerers if u != person]


def _days(s: AtelierState) -> int:
    return s.retention_days
