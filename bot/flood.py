"""Flood: a person's refused or misunderstood commands are answered a few times per window.

Three hundred bad commands in a row would otherwise queue three hundred replies, and the
room's other people would wait behind them. Within ``WINDOW`` seconds, a person's first
``ANSWERED`` refusals are answered (someone who retypes a command, or answers twice, is still
told); the next ones change nothing and get no reply.
"""

from bot.state import AtelierState

__all__ = ["ANSWERED", "WINDOW", "may_answer"]

#: seconds of a window
WINDOW = 10.0
#: refusals answered per person and window
ANSWERED = 3


def may_answer(state: AtelierState, user: str, now: float) -> bool:
    """Whether this person's refusal is answered now (counted in the current window)."""
    for other, (until, _) in list(state.refusals.items()):
        if until <= now:
            del state.refusals[other]
    until, answered = state.refusals.get(user, (now + WINDOW, 0))
    if answered >= ANSWERED:
        return False
    state.refusals[user] = (until, answered + 1)
    return True
