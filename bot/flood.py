"""Flood: a person's refused or misunderstood commands are answered a few times per window.

Three hundred bad commands in a row would otherwise queue three hundred replies, and the
room's other people would wait behind them. Within ``WINDOW`` seconds, a person's first
``ANSWERED`` refusals are answered (someone who retypes a command, or answers twice, is still
told); the next ones change nothing and get no reply.
"""

from bot.state import AtelierState

__all__ = ["ANSWERED", "WINDOW", "Refusals", "may_answer", "may_answer_in"]

#: per person: (end of their window, refusals answered in it)
Refusals = dict[str, tuple[float, int]]

#: seconds of a window
WINDOW = 10.0
#: refusals answered per person and window
ANSWERED = 3


def may_answer(state: AtelierState, user: str, now: float) -> bool:
    """Whether this person's refusal is answered now (counted in the current window)."""
    return may_answer_in(state.refusals, user, now)


def may_answer_in(refusals: Refusals, user: str, now: float) -> bool:
    """The same on a map of its own (the planner's, ``bot.planning``)."""
    for other, (until, _) in list(refusals.items()):
        if until <= now:
            del refusals[other]
    until, answered = refusals.get(user, (now + WINDOW, 0))
    if answered >= ANSWERED:
        return False
    refusals[user] = (until, answered + 1)
    return True
