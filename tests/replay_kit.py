"""A recorded atelier (devkit/bench_stream.py) replayed through a real runtime and store."""

import time
from pathlib import Path

from bot.engine import Engine, EngineSettings
from bot.events import TimerFired
from bot.formats import load_formats
from bot.ids import RoomId
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import RecordingAdapter
from devkit.bench_stream import Recorded


class Replay:
    """The runtime, its store, its adapter, and the clock the replay moves."""

    def __init__(self, runtime: Runtime, store: Store, adapter: RecordingAdapter) -> None:
        self.runtime, self.store, self.adapter = runtime, store, adapter
        self.now = [0.0]

    async def close(self) -> None:
        await self.runtime.stop()
        await self.store.close()


async def replay(path: Path, stream: list[Recorded]) -> Replay:
    """Open a runtime on ``path`` and play the stream to its end (the atelier is over)."""
    store = await Store.open(path)
    adapter = RecordingAdapter()
    now = [0.0]
    engine = Engine(EngineSettings(), load_formats())
    runtime = Runtime(engine, store, [adapter], clock=lambda: now[0])
    await runtime.start()
    shift = time.time() + 86_400 - stream[0].now  # the recorded deadlines stay in the future
    for recorded in stream:
        now[0] = recorded.now + shift
        event = recorded.event
        if isinstance(event, TimerFired):
            event = TimerFired(room=event.room, name=event.name, at=event.at + shift)
        await runtime.process(event)
    for _ in range(20):  # then time runs out, step after step, until the atelier is over
        if not runtime.states:
            break
        room, state = next(iter(runtime.states.items()))
        name, at = min(state.timers.items(), key=lambda timer: timer[1])
        now[0] = max(now[0], at)
        await runtime.process(TimerFired(room=RoomId(room), name=name, at=at))
    assert not runtime.states, "the recorded atelier ends"
    played = Replay(runtime, store, adapter)
    played.now = now
    return played
