"""A bot on a real runtime and SQLite store, with a test clock, for the tests of what a room
keeps between sessions and for how long (cycles, retention)."""

import time
from pathlib import Path

from runtime_kit import ROOM

from bot.effects import CycleQuery, SayDirect
from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import FrozenClock, RecordingAdapter

__all__ = ["Bot", "clock_ahead"]


def clock_ahead() -> FrozenClock:
    """A test clock a day ahead: the scheduler, on the wall clock, fires no deadline."""
    return FrozenClock(time.time() + 86_400)


class Bot:
    """A runtime on a SQLite file, with a test clock; messages numbered as they go."""

    def __init__(
        self, path: Path, clock: FrozenClock, settings: EngineSettings | None = None
    ) -> None:
        self.path, self.clock = path, clock
        self.settings = settings or EngineSettings()
        self.names: dict[str, str] = {}  # display names, when not the user id titled
        self.n = int(clock.now)  # event ids stay new across restarts

    async def open(self) -> "Bot":
        self.store = await Store.open(self.path)
        self.adapter = RecordingAdapter()
        engine = Engine(self.settings, load_formats())
        self.runtime = Runtime(engine, self.store, [self.adapter], clock=self.clock)
        await self.runtime.start()
        await self.runtime.settled()
        return self

    async def close(self) -> None:
        await self.runtime.stop()
        await self.store.close()

    def name(self, user: str) -> str:
        return self.names.get(user, user.title())

    async def post(self, user: str, text: str, room: str = ROOM) -> None:
        self.n += 1
        self.clock.advance(1)
        await self.runtime.process(
            MessagePosted(
                room=RoomId(room),
                sender=UserId(user),
                sender_name=self.name(user),
                text=text,
                message_id=MessageId(f"$m{self.n}"),
                event_id=EventId(f"$e{self.n}"),
            )
        )
        await self.runtime.settled()

    async def dm(self, user: str, text: str) -> None:
        self.clock.advance(1)
        await self.runtime.receive(
            DirectIn(platform="test", sender=UserId(user), sender_name=self.name(user), text=text)
        )
        await self.runtime.settled()

    def told(self, user: str, key: str) -> list[str]:
        return [
            e.body
            for e in self.adapter.performed
            if isinstance(e, SayDirect) and e.user == user and e.key == key
        ]

    @property
    def kind(self) -> StepKind:
        return self.runtime.states[ROOM].kind

    async def memory(self) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        found = await self.store.answer(CycleQuery(room=RoomId(ROOM), atelier_id="-"))
        assert not isinstance(found, tuple)
        return found.offerers, found.carried  # type: ignore[union-attr]


def _clock() -> FrozenClock:
    """A test clock a day ahead: the scheduler, on the wall clock, fires no deadline."""
    return FrozenClock(time.time() + 86_400)
