"""B2b: what an event costs when the atelier already holds many long messages.

One atelier on a real SQLite file (WAL) through ``Runtime.process``, in its ground-rules step,
where every line a member writes in the room becomes a rule (an entry of the state, an input,
a reaction). After ``held`` messages of 4 kB, the next 50 are timed one by one: their median
is the per-event cost at that size. Its same-run baseline is the same measure with 10 messages
held. The database's size (after closing, WAL checkpointed) is compared with the raw text
of the messages.

The messages are words drawn from a small vocabulary (seeded), so that they compress as a
written text does, not as random bytes would.
"""

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_engine import NullAdapter

from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.sizes import INPUT_MAX
from bot.store import Store

__all__ = ["b2b_store"]

ROOM = RoomId("!b2b:localhost")
SIZE = INPUT_MAX  # 4,000 characters: the most a person may write at once (bot/sizes.py)
TIMED = 50
_WORDS = [
    "atelier",
    "entraide",
    "problème",
    "question",
    "règle",
    "écoute",
    "temps",
    "parole",
    "groupe",
    "idée",
    "action",
    "partage",
    "besoin",
    "solution",
    "essayer",
    "comprendre",
    "proposer",
    "demander",
    "semaine",
    "équipe",
    "projet",
    "bénévoles",
    "association",
    "réunion",
    "budget",
    "compta",
    "fusion",
    "déléguer",
    "garder",
    "confiance",
    "clair",
]


def _text(rng: random.Random) -> str:
    words: list[str] = []
    length = 0
    while length < SIZE:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:SIZE]


class _Feed:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.n = 0

    async def post(self, user: str, text: str) -> float:
        self.n += 1
        event = MessagePosted(
            room=ROOM,
            sender=UserId(user),
            sender_name=user.title(),
            text=text,
            message_id=MessageId(f"$m{self.n}"),
            event_id=EventId(f"$e{self.n}"),
        )
        started = time.perf_counter()
        await self.runtime.process(event)
        return time.perf_counter() - started

    async def dm(self, user: str, text: str) -> None:
        await self.runtime.receive(
            DirectIn(platform="bench", sender=UserId(user), sender_name=user.title(), text=text)
        )


async def _run(path: Path, held: int) -> tuple[float, int]:
    """The median time of an event once ``held`` messages are stored; the raw text's bytes."""
    store = await Store.open(path)
    runtime = Runtime(Engine(EngineSettings(), load_formats()), store, [NullAdapter()])
    await runtime.start()
    try:
        return await _measure(runtime, held)
    finally:  # a failed measure must not leave the database thread running (the process hangs)
        await runtime.stop()
        await store.close()


async def _measure(runtime: Runtime, held: int) -> tuple[float, int]:
    feed = _Feed(runtime)
    await feed.post("fac", "!atelier start")
    for user in ("alice", "bob", "chloe"):
        await feed.post(user, "!atelier join")
    while runtime.states[ROOM].kind is not StepKind.GROUND_RULES:
        await feed.dm("fac", "next")
    rng = random.Random(14)
    users = ("alice", "bob", "chloe")
    raw = 0
    times = []
    for index in range(held + TIMED):
        text = _text(rng)
        raw += len(text.encode())
        took = await feed.post(users[index % 3], text)
        if index >= held:
            times.append(took)
    assert len(runtime.states[ROOM].rules) == held + TIMED
    return statistics.median(times), raw


def b2b_store(smoke: bool) -> dict[str, float]:
    small, large = (10, 40) if smoke else (10, 400)
    repeats = 1 if smoke else 3
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        folder = Path(tmp)
        base, cost = [], []
        size = raw = 0
        for run in range(repeats):
            base.append(asyncio.run(_run(folder / f"small{run}.db", small))[0])
            path = folder / f"large{run}.db"
            took, raw = asyncio.run(_run(path, large))
            cost.append(took)
            size = path.stat().st_size
    return {
        "held": large,
        "cost": statistics.median(cost),
        "baseline": statistics.median(base),
        "size": size,
        "raw": raw,
    }
