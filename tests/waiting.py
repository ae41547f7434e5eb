"""Waiting in tests: for a condition, with a deadline and a message naming what was awaited.

Tests never sleep a fixed time to let something happen: on a loaded machine any fixed time is
too short one day, and it is always too long. They wait for the effect itself (``until``), or
move a test clock where the code takes the time as input. To show that something did *not*
happen, a test first waits for a later, positive sign (a marker sent after it, handled) and then
looks: everything before the marker has been handled too.

The short pause between two looks below is the polling interval, not a synchronisation.
"""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

__all__ = ["until"]


async def until(
    what: str,
    check: Callable[[], bool | Awaitable[bool]],
    limit: float = 60.0,
    every: float = 0.02,
) -> None:
    """Return once ``check()`` is true (it may be a coroutine); fail after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {limit:g} s for: {what}")
        await asyncio.sleep(every)
