"""Flood: a person's refused or misunderstood commands are answered at most once per window.

Three hundred bad commands in a row would otherwise queue three hundred replies, and the
room's other people would wait behind them. The first refusal is answered; the next ones,
within ``WINDOW`` seconds, change nothing and get no reply.
"""

from bot.state import AtelierState

__all__ = ["WINDOW", "may_answer"]

#: seconds during which a person's further refusals go unanswered
WINDOW = 10.0


def may_answer(state: AtelierState, user: str, now: float) -> bool:
    """Whether this person's refusal is answered now (and if so, the window starts)."""
    for other, until in list(state.hushed.items()):
        if until <= now:
            del state.hushed[other]
    if user in state.hushed:
        return False
    state.hushed[user] = now + WINDOW
    return True
