"""B3 and B4: a thousand ateliers in one process, then a restart in the middle of them.

B3 opens 1,000 ateliers (a facilitator and 9 participants each), started over a ramp, on a
real SQLite file, with time compressed so that steps end on their timers during the measure
(presentation, ground rules, problem search), and a background load of messages. It runs in
a process of its own, so that the peak RSS is the ateliers' (its baseline: the same process
before them), and reports the lateness of timers: when APScheduler ran each, against its
deadline.

B4 stops that runtime and opens a new one on the same file: all ateliers reloaded, every
stored deadline re-armed, and the first event served; it reports that time (the median of
several restarts). Then it gives each of the 1,000 rooms an agenda of 50 planned sessions
(8 people coming to each) and restarts again: the agendas reloaded too, and each room's next
planned job armed, which chains to all the others; the restarts without agendas, in the same
run, are its baseline.
"""

import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devkit/, run as a child process

from bench_engine import NullAdapter

from bot.agenda import Agenda, Planned, PlanSettings, deadlines, next_job
from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.formats import load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.runtime import Runtime
from bot.store import Store

__all__ = ["b3_b4_scale"]

PEOPLE = [f"p{i}" for i in range(1, 10)]
#: B4: sessions planned per room, and restarts measured (each way)
SESSIONS = 50
RESTARTS = 5


def _memory_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, from /proc.

    Not ``ru_maxrss``: Linux carries the parent's peak into a child process across exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedRuntime(Runtime):
    """Notes, for every timer, how late APScheduler ran it."""

    lateness: list[float]

    async def _on_timer(self, room: str, name: str, at: float) -> None:
        self.lateness.append(time.time() - at)
        await super()._on_timer(room, name, at)


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"b3-{self.n}"


async def _post(runtime: Runtime, ids: _Ids, room: str, user: str, text: str) -> None:
    number = ids.next()
    await runtime.process(
        MessagePosted(
            room=RoomId(room),
            sender=UserId(user),
            sender_name=user,
            text=text,
            message_id=MessageId(number),
            event_id=EventId(number),
        )
    )


async def _open(runtime: Runtime, ids: _Ids, room: str) -> None:
    await _post(runtime, ids, room, "fac", "!atelier démarrer")
    for person in PEOPLE:
        await _post(runtime, ids, room, person, "!atelier rejoindre")
    await _post(runtime, ids, room, "fac", "!atelier suivant")  # then steps end on their timers


async def _background(runtime: Runtime, ids: _Ids, rooms: list[str], rate: float) -> None:
    while True:
        await _post(runtime, ids, random.choice(rooms), random.choice(PEOPLE), "Une remarque.")
        await asyncio.sleep(1 / rate)


async def _b3(folder: Path, ateliers: int, ramp: float, hold: float, spm: float) -> dict:
    baseline_rss = _memory_mb("VmRSS")
    store = await Store.open(folder / "b3.db")
    engine = Engine(EngineSettings(seconds_per_minute=spm), load_formats())
    runtime = TimedRuntime(engine, store, [NullAdapter()])
    runtime.lateness = []
    await runtime.start()
    ids = _Ids()
    rooms = [f"!b3-{i}:localhost" for i in range(ateliers)]
    started = time.monotonic()
    for index, room in enumerate(rooms):
        await _open(runtime, ids, room)
        pause = started + ramp * (index + 1) / ateliers - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
    ramp_took = time.monotonic() - started
    runtime.lateness.clear()  # measure the steady state, after the ramp
    load = asyncio.get_running_loop().create_task(_background(runtime, ids, rooms, 50.0))
    await asyncio.sleep(hold)
    load.cancel()
    lateness = sorted(runtime.lateness)
    active = len(runtime.states)
    await runtime.stop()
    await store.close()
    return {
        "ateliers": ateliers,
        "active": active,
        "ramp": ramp_took,
        "timers": len(lateness),
        "p50": statistics.median(lateness) if lateness else float("nan"),
        "p99": lateness[int(len(lateness) * 0.99)] if lateness else float("nan"),
        "rss": _memory_mb("VmHWM"),
        "baseline_rss": baseline_rss,
    }


async def _restart(folder: Path, spm: float) -> dict:
    """One restart on B3's file: the time to reload, re-arm and serve a first event."""
    store = await Store.open(folder / "b3.db")
    engine = Engine(EngineSettings(seconds_per_minute=spm), load_formats())
    runtime = Runtime(engine, store, [NullAdapter()])
    # the deadlines held in the stored states, and those the start-up arms (a job that fires
    # at once is gone from APScheduler by the time one could count its jobs)
    stored = {
        (room, name)
        for room, state in (await store.active_ateliers()).items()
        for name in state.timers
    }
    agendas = await store.agendas()
    planned = {(room, name) for room in agendas for name in _next(agendas[room])}
    armed: set[tuple[str, str]] = set()
    arm = runtime.scheduler.arm

    def counted(room: str, name: str, at: float) -> None:
        armed.add((room, name))
        arm(room, name, at)

    runtime.scheduler.arm = counted  # type: ignore[method-assign]
    started = time.monotonic()
    await runtime.start()
    room = next(iter(runtime.states))
    await _post(runtime, _Ids(), room, "fac", "!atelier état")
    served = time.monotonic() - started
    ateliers = len(runtime.states)
    await runtime.stop()
    await store.close()
    return {
        "seconds": served,
        "ateliers": ateliers,
        "stored": len(stored),
        "armed": len(stored & armed),
        "rooms": len(agendas),
        "planned_armed": len(planned & armed),
        "sessions": sum(len(a.sessions) for a in agendas.values()),
        "deadlines": sum(len(deadlines(a, PlanSettings())) for a in agendas.values()),
    }


def _next(agenda: Agenda) -> dict[str, float]:
    return next_job(agenda, PlanSettings())


async def _plan(folder: Path, rooms: list[str]) -> None:
    """Give each room an agenda of ``SESSIONS`` sessions, a week apart, 8 people coming."""
    store = await Store.open(folder / "b3.db")
    now = time.time()
    coming = {person: f"Personne {person}" for person in PEOPLE[:8]}
    for room in rooms:
        sessions = [
            Planned(
                number=n,
                start=now + 2 * 86_400 + (n - 1) * 7 * 86_400,
                end=now + 2 * 86_400 + (n - 1) * 7 * 86_400 + 9_000,
                facilitator="fac",
                facilitator_name="Camille",
                coming=dict(coming),
                invited=n == 1,
            )
            for n in range(1, SESSIONS + 1)
        ]
        agenda = Agenda(
            room=room,
            lang="fr",
            timezone="Europe/Paris",
            next_number=SESSIONS + 1,
            sessions=sessions,
        )
        await store.commit_decision(
            room=room, state=None, event_id=None, effects=[], now=now, agendas=[agenda]
        )
    await store.close()


async def _b4(folder: Path, spm: float, rooms: int) -> dict:
    baseline = [await _restart(folder, spm) for _ in range(RESTARTS)]
    await _plan(folder, [f"!b3-{i}:localhost" for i in range(rooms)])
    planned = [await _restart(folder, spm) for _ in range(RESTARTS)]
    result = dict(planned[-1])
    result["seconds"] = statistics.median(r["seconds"] for r in planned)
    result["baseline"] = statistics.median(r["seconds"] for r in baseline)
    # every restart armed every stored deadline and every room's next planned job
    result["all_armed"] = all(
        r["armed"] == r["stored"] and r["planned_armed"] == r["rooms"] for r in planned
    )
    return result


def b3_b4_scale(smoke: bool) -> tuple[dict, dict]:
    """Run in a child process: its peak RSS is then the ateliers', not earlier benchmarks'."""
    done = subprocess.run(
        [sys.executable, __file__, "--smoke" if smoke else "--full"],
        capture_output=True,
        text=True,
        check=True,
    )
    b3, b4 = json.loads(done.stdout.strip().splitlines()[-1])
    return b3, b4


def _main(smoke: bool) -> None:
    # 5 s per format minute: the timed steps (2 + 3 + 10 min) outlast the ramp and the hold,
    # so timers fire all along and are still pending at the restart
    ateliers, ramp, hold, spm = (20, 1.0, 2.0, 0.5) if smoke else (1000, 30.0, 45.0, 5.0)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        b3 = asyncio.run(_b3(Path(tmp), ateliers, ramp, hold, spm))
        b4 = asyncio.run(_b4(Path(tmp), spm, ateliers))
    print(json.dumps([b3, b4]))


if __name__ == "__main__":
    _main("--smoke" in sys.argv)
