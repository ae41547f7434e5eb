"""Waiting for the bot, and reading what it said, on any platform (``People.heard``)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def until(what: str, check: Callable[[], bool | Awaitable[bool]], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited too long for: {what}")
        await asyncio.sleep(0.05)


def texts(people: Any, to: str | None = None) -> list[str]:
    """What the bot said in the room (``to`` None) or privately to one person."""
    return [h.text for h in people.heard if h.to == to]


async def heard(people: Any, needle: str, to: str | None = None, limit: float = 30) -> str:
    """Wait until the bot has said something containing ``needle``; return that message."""
    found: list[str] = []

    def check() -> bool:
        found[:] = [t for t in texts(people, to) if needle in t]
        return bool(found)

    await until(f"the bot to say {needle!r} to {to or 'the room'}", check, limit)
    return found[0]
