"""How long to wait before trying again: one rule for every retry loop of the bot.

The first retry waits ``first`` seconds, each next one twice as long, never more than
``ceiling``; a delay the server asked for (HTTP 429 ``Retry-After``, Matrix ``retry_after_ms``)
wins over the rule.
"""

from dataclasses import dataclass

__all__ = ["Backoff", "delay_after"]


def delay_after(attempts: int, *, first: float = 1.0, ceiling: float = 30.0) -> float:
    """The wait before the next try, after ``attempts`` failed tries (0 → ``first``)."""
    return min(ceiling, first * 2.0 ** min(max(attempts, 0), 30))


@dataclass
class Backoff:
    """The state of one retry loop: ``next()`` after a failure, ``reset()`` after a success."""

    first: float = 1.0
    ceiling: float = 30.0
    attempts: int = 0

    def next(self, asked: float | None = None) -> float:
        """The wait before the next try; ``asked`` is the server's own delay, if it gave one."""
        delay = delay_after(self.attempts, first=self.first, ceiling=self.ceiling)
        self.attempts += 1
        return asked if asked is not None and asked > 0 else delay

    def reset(self) -> None:
        self.attempts = 0
