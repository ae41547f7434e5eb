"""Step timers on APScheduler (AsyncIOScheduler): one job per pending deadline.

The deadlines themselves live in the store; this only wakes the runtime up at the right time.
A deadline already past (the bot was down) fires at once: none is ever dropped.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

__all__ = ["TimerScheduler"]

Fire = Callable[[str, str, float], Awaitable[None]]


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
