"""Timers: the ``Scheduler`` port, and its production form on APScheduler (AsyncIOScheduler).

The deadlines themselves live in the store; a scheduler only wakes the runtime up at the right
time. A deadline already past (the bot was down) fires at once: none is ever dropped. The
runtime takes a factory, so tests can drive time by hand (``bot.testing.ManualScheduler``).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

__all__ = ["Fire", "Scheduler", "SchedulerFactory", "TimerScheduler"]

#: what a scheduler calls when a deadline comes: (room, timer name, the deadline asked)
Fire = Callable[[str, str, float], Awaitable[None]]


class Scheduler(Protocol):
    """One pending job per (room, name); arming again replaces it."""

    def start(self) -> None: ...
    def shutdown(self) -> None: ...
    def arm(self, room: str, name: str, at: float) -> None: ...
    def cancel(self, room: str, name: str) -> None: ...
    def pending(self) -> int: ...


#: how the runtime makes its scheduler: from what to call, and the clock
SchedulerFactory = Callable[[Fire, Callable[[], float]], Scheduler]


class TimerScheduler:
    def __init__(self, fire: Fire, clock: Callable[[], float]) -> None:
        self._fire = fire
        self._clock = clock
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @staticmethod
    def _job_id(room: str, name: str) -> str:
        return f"{room}\x1f{name}"

    def arm(self, room: str, name: str, at: float) -> None:
        when = max(at, self._clock())
        self._scheduler.add_job(
            self._fire,
            trigger=DateTrigger(run_date=datetime.fromtimestamp(when, tz=UTC)),
            args=(room, name, at),
            id=self._job_id(room, name),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def cancel(self, room: str, name: str) -> None:
        job = self._scheduler.get_job(self._job_id(room, name))
        if job is not None:
            job.remove()

    def pending(self) -> int:
        return len(self._scheduler.get_jobs())
