"""B7: ``archives mots`` in a large installation — 1,000 rooms with 13 shared records each
(a year-long cycle per room). The p95 of a search by two words in one room; baseline: the p95
of reading one record by its number (the cheapest trip to the store), in the same run."""

import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bot.effects import Archive, ArchiveQuery
from bot.ids import RoomId, UserId
from bot.store import Store
from bot.store_archive import archive_row
from bot.store_rows import transaction

WORDS = [
    "bénévoles",
    "été",
    "lien",
    "lettre",
    "photos",
    "association",
    "mairie",
    "budget",
    "réunion",
    "conflit",
    "équipe",
    "présidente",
    "recrutement",
    "formation",
    "jeunes",
    "quartier",
    "projet",
    "partenaires",
    "subvention",
    "écoute",
    "confiance",
    "rentrée",
    "binômes",
    "accueil",
    "communication",
    "planning",
    "fatigue",
    "départ",
]


def _text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS))
    return " ".join(words)


async def _measure(path: Path, rooms: int, queries: int) -> dict[str, float]:
    store = await Store.open(path)
    rng = random.Random(16)
    rows = [
        archive_row(
            Archive(
                room=RoomId(f"!room{r}:bench"),
                atelier_id=f"!room{r}:bench#{n}",
                title=f"{n:02d}/01/2027, situation offerte par P{n}",
                request=_text(rng, 120),
                text=_text(rng, 3_000),
            )
        )
        for r in range(rooms)
        for n in range(13)
    ]

    def fill(db: sqlite3.Connection) -> None:
        def insert() -> None:
            for sql, params in rows:
                db.execute(sql, params)

        transaction(db, insert)

    await store._in_thread(fill)
    searches, reads = [], []
    for _ in range(queries):
        room = RoomId(f"!room{rng.randrange(rooms)}:bench")
        words = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        started = time.perf_counter()
        await store.answer(ArchiveQuery(room=room, user=UserId("u"), direct=True, words=words))
        searches.append(time.perf_counter() - started)
        started = time.perf_counter()
        await store.answer(ArchiveQuery(room=room, user=UserId("u"), direct=True, number=7))
        reads.append(time.perf_counter() - started)
    await store.close()
    return {
        "rooms": rooms,
        "p95": statistics.quantiles(searches, n=20)[18],
        "baseline": statistics.quantiles(reads, n=20)[18],
    }


def b7_archive(smoke: bool) -> dict[str, float]:
    rooms, queries = (20, 40) if smoke else (1_000, 300)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as folder:
        return asyncio.run(_measure(Path(folder) / "archive.db", rooms, queries))
