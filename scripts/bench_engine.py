"""B1 and B2: the engine alone, then the runtime with every event persisted in SQLite.

B1 replays the recorded event stream of a 9-person atelier (``devkit.bench_stream``) through the
pure ``decide``. Its same-run baseline is the same replay with the deep copy of the state that
``decide`` used before (``copy.deepcopy``), so the ratio shows what the cheaper copy gained.

B2 replays it through ``Runtime.process`` on a real SQLite file (WAL): decide, one
transaction with state, inputs, timers and outbox, then delivery to a null adapter. Its
same-run baseline is the bare cost of one SQLite transaction per event (an insert and a
commit on the same kind of file): the floor any persisted runtime pays.
"""

import asyncio
import contextvars
import copy
import dataclasses
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bot.engine as engine_module
from bot.effects import React, Say, SayDirect
from bot.engine import Engine, EngineSettings
from bot.events import TimerFired
from bot.formats import load_formats
from bot.runtime import Runtime
from bot.store import Store
from devkit.bench_stream import Recorded, record_atelier

__all__ = ["NullAdapter", "b1_engine", "b2_runtime"]


class NullAdapter:
    """Owns every room and performs instantly (what the benchmarks measure is the bot)."""

    name = "bench"

    def __init__(self) -> None:
        self.count = 0

    def owns(self, room: str) -> bool:
        return True

    async def connect(self, sink: object) -> None:
        return None

    async def perform(
        self, effect: Say | SayDirect | React, *, idempotency_key: str | None = None
    ) -> str | None:
        self.count += 1
        return f"m{self.count}"

    async def close(self) -> None:
        return None


def _median_rate(run: Callable[[], int], repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        events = run()
        rates.append(events / (time.perf_counter() - started))
    return statistics.median(rates)


def _replay(engine: Engine, stream: list[Recorded], ateliers: int) -> int:
    for _ in range(ateliers):
        state = None
        for recorded in stream:
            state, _ = engine.decide(state, recorded.event, recorded.now)
    return len(stream) * ateliers


def _deep_copy(state):  # type: ignore[no-untyped-def]
    return copy.deepcopy(state, memo={id(state.format): state.format})


def b1_engine(smoke: bool) -> dict[str, float]:
    stream = record_atelier()
    engine = Engine(EngineSettings(), load_formats())
    ateliers, repeats = (2, 3) if smoke else (40, 7)
    rate = _median_rate(lambda: _replay(engine, stream, ateliers), repeats)
    cheap_copy = engine_module._copy
    engine_module._copy = _deep_copy
    try:
        baseline = _median_rate(lambda: _replay(engine, stream, max(1, ateliers // 8)), repeats)
    finally:
        engine_module._copy = cheap_copy
    return {"events": len(stream), "rate": rate, "baseline": baseline}


async def _runtime_replay(stream: list[Recorded], folder: Path, ateliers: int) -> int:
    store = await Store.open(folder / f"b2-{time.perf_counter_ns()}.db")
    runtime = Runtime(
        Engine(EngineSettings(), load_formats()), store, [NullAdapter()], clock=_NOW.get
    )
    await runtime.start()
    # The recorded stream holds its own TimerFired events: shifted a day ahead, the deadlines
    # it arms in APScheduler stay in the future and never fire during the measure.
    shift = time.time() + 86_400 - stream[0].now
    await asyncio.gather(*(_one(runtime, stream, index, shift) for index in range(ateliers)))
    await runtime.stop()
    await store.close()
    return len(stream) * ateliers


#: the recorded time of the event being replayed, per task (each atelier runs in its own)
_NOW: contextvars.ContextVar[float] = contextvars.ContextVar("now", default=0.0)


async def _one(runtime: Runtime, stream: list[Recorded], index: int, shift: float) -> None:
    """One atelier's events, in order (ateliers run side by side, as in a real deployment)."""
    for recorded in stream:
        _NOW.set(recorded.now + shift)
        event = recorded.event
        changes: dict[str, object] = {"room": f"!bench{index}:localhost"}
        if isinstance(event, TimerFired):
            changes["at"] = event.at + shift
        event_id = getattr(event, "event_id", None)
        if event_id is not None:
            changes["event_id"] = f"{event_id}-{index}"
        await runtime.process(dataclasses.replace(event, **changes))


def _sqlite_floor(folder: Path, events: int) -> int:
    db = sqlite3.connect(folder / f"floor-{time.perf_counter_ns()}.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = "x" * 12_000  # about one atelier state
    for _ in range(events):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t(body) VALUES (?)", (body,))
        db.execute("COMMIT")
    db.close()
    return events


def b2_runtime(smoke: bool) -> dict[str, float]:
    stream = record_atelier()
    ateliers, repeats = (1, 3) if smoke else (5, 5)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        folder = Path(tmp)
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            events = asyncio.run(_runtime_replay(stream, folder, ateliers))
            rates.append(events / (time.perf_counter() - started))
        floor = _median_rate(lambda: _sqlite_floor(folder, len(stream) * ateliers), repeats)
    return {"rate": statistics.median(rates), "baseline": floor}
