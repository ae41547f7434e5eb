"""Persistence on SQLite (aiosqlite, WAL): ateliers, inputs, processed events, outbox, timers.

One ``commit_decision`` call writes everything a decision produced in one transaction, so
nothing is acknowledged that is not stored, and a crash never leaves half a decision.
The schema is versioned (``PRAGMA user_version``) and upgraded by numbered migrations.
"""

import asyncio
import functools
import json
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar, cast

import aiosqlite

from bot.effects import CancelTimer, Effect, Record, StartTimer
from bot.serialize import effect_from_json, effect_to_json
from bot.state import AtelierState

__all__ = ["MIGRATIONS", "OutboxItem", "Store"]

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE ateliers (
        id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        state TEXT NOT NULL,
        active INTEGER NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX ateliers_active ON ateliers(active, room);
    CREATE TABLE processed_events (
        event_id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE TABLE inputs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        atelier_id TEXT NOT NULL,
        room TEXT NOT NULL,
        kind TEXT NOT NULL,
        author TEXT NOT NULL,
        content TEXT NOT NULL,
        extra TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX inputs_atelier ON inputs(atelier_id, id);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        effect TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX outbox_room ON outbox(room, id);
    CREATE TABLE timers (
        room TEXT NOT NULL,
        name TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (room, name)
    );
    CREATE TABLE message_refs (
        room TEXT NOT NULL,
        message_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        PRIMARY KEY (room, message_id)
    );
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    room: str
    effect: Effect
    attempts: int
    next_try: float


P = ParamSpec("P")
R = TypeVar("R")


def _serialized(
    method: Callable[Concatenate["Store", P], Awaitable[R]],
) -> Callable[Concatenate["Store", P], Awaitable[R]]:
    """One connection serves many coroutines: each call runs alone, so transactions never mix."""

    @functools.wraps(method)
    async def wrapper(self: "Store", *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._lock:
            return await method(self, *args, **kwargs)

    return wrapper


class Store:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> "Store":
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), isolation_level=None)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        store = cls(db)
        await store._migrate()
        return store

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in script.split(";"):
                    if statement.strip():
                        await self._db.execute(statement)
                await self._db.execute(f"PRAGMA user_version = {number}")
                await self._db.execute("COMMIT")
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise

    # -- ateliers ------------------------------------------------------------------------------
    @_serialized
    async def active_ateliers(self) -> dict[str, AtelierState]:
        states: dict[str, AtelierState] = {}
        async with self._db.execute(
            "SELECT room, state FROM ateliers WHERE active = 1 ORDER BY updated_at"
        ) as cursor:
            async for room, state in cursor:
                states[room] = AtelierState.model_validate_json(state)
        return states

    @_serialized
    async def atelier(self, atelier_id: str) -> AtelierState | None:
        async with self._db.execute(
            "SELECT state FROM ateliers WHERE id = ?", (atelier_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return AtelierState.model_validate_json(row[0]) if row else None

    async def _in_thread(self, work: Callable[[sqlite3.Connection], R]) -> R:
        """Run ``work`` on aiosqlite's thread with the connection: one hop for a whole
        transaction instead of one per statement (the hops were most of the runtime's cost).

        This uses aiosqlite's ``_execute``, which every public call of it goes through;
        aiosqlite is pinned below the next minor version for that reason.
        """
        db = self._db
        return cast(R, await db._execute(lambda: work(db._conn)))

    async def _rows(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """A query's rows in one hop."""
        return await self._in_thread(lambda db: db.execute(query, params).fetchall())

    @_serialized
    async def commit_decision(
        self,
        *,
        room: str,
        state: AtelierState | None,
        changed: bool,
        event_id: str | None,
        effects: Sequence[Effect],
        now: float,
    ) -> list[OutboxItem] | None:
        """Store one decision atomically (state, inputs, timers, outbox, the event id).

        Returns the room's pending effects, oldest first (read in the same trip to the
        database), or None, storing nothing, when that event id was already handled.
        """
        state_json = state.model_dump_json() if state is not None and changed else None
        rows = [_effect_row(effect, room, now) for effect in effects]

        def work(db: sqlite3.Connection) -> list[tuple[object, ...]] | None:
            db.execute("BEGIN IMMEDIATE")
            try:
                if event_id is not None:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO processed_events(event_id, room, at)"
                        " VALUES (?, ?, ?)",
                        (event_id, room, now),
                    )
                    if cursor.rowcount == 0:
                        db.execute("ROLLBACK")
                        return None
                if state is not None and state_json is not None:
                    db.execute(
                        "INSERT INTO ateliers(id, room, state, active, updated_at)"
                        " VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT(id) DO UPDATE SET state = excluded.state,"
                        " active = excluded.active, updated_at = excluded.updated_at",
                        (state.id, state.room, state_json, int(not state.finished), now),
                    )
                for sql, params in rows:
                    db.execute(sql, params)
                if state is not None and state.finished:
                    db.execute("DELETE FROM timers WHERE room = ?", (room,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return db.execute(PENDING + " WHERE room = ? ORDER BY id", (room,)).fetchall()

        rows = await self._in_thread(work)
        return None if rows is None else [_outbox_item(row) for row in rows]

    # -- outbox --------------------------------------------------------------------------------
    @_serialized
    async def pending(self, room: str | None = None) -> list[OutboxItem]:
        query = PENDING
        params: tuple[str, ...] = ()
        if room is not None:
            query += " WHERE room = ?"
            params = (room,)
        rows = await self._rows(query + " ORDER BY id", params)
        return [_outbox_item(row) for row in rows]

    @_serialized
    async def delivered(
        self, room: str, items: Sequence[tuple[int, str | None, str | None]]
    ) -> None:
        """Outbox items performed: ``(outbox id, platform message id, engine ref)`` each."""
        refs = [(room, message_id, ref) for _, message_id, ref in items if message_id and ref]

        def work(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("DELETE FROM outbox WHERE id = ?", [(i[0],) for i in items])
                db.executemany(
                    "INSERT OR REPLACE INTO message_refs(room, message_id, ref) VALUES (?, ?, ?)",
                    refs,
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        await self._in_thread(work)

    @_serialized
    async def failed(self, item_id: int, next_try: float) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_try = ? WHERE id = ?",
            (next_try, item_id),
        )

    @_serialized
    async def retry_now(self, room: str) -> None:
        await self._db.execute("UPDATE outbox SET next_try = 0 WHERE room = ?", (room,))

    # -- message references, timers, inputs, small values --------------------------------------
    @_serialized
    async def ref_for(self, room: str, message_id: str) -> str | None:
        rows = await self._rows(
            "SELECT ref FROM message_refs WHERE room = ? AND message_id = ?", (room, message_id)
        )
        return str(rows[0][0]) if rows else None

    @_serialized
    async def message_for_ref(self, room: str, ref: str) -> str | None:
        """The platform id of the bot's latest message labelled ``ref`` in that room."""
        rows = await self._rows(
            "SELECT message_id FROM message_refs WHERE room = ? AND ref = ?"
            " ORDER BY rowid DESC LIMIT 1",
            (room, ref),
        )
        return str(rows[0][0]) if rows else None

    @_serialized
    async def timers(self) -> list[tuple[str, str, float]]:
        async with self._db.execute("SELECT room, name, at FROM timers ORDER BY at") as cursor:
            return [(r[0], r[1], r[2]) for r in await cursor.fetchall()]

    @_serialized
    async def inputs(self, atelier_id: str) -> list[dict[str, str]]:
        async with self._db.execute(
            "SELECT kind, author, content, extra FROM inputs WHERE atelier_id = ? ORDER BY id",
            (atelier_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [{"kind": r[0], "author": r[1], "content": r[2], **json.loads(r[3])} for r in rows]

    @_serialized
    async def get(self, key: str) -> str | None:
        rows = await self._rows("SELECT value FROM kv WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    @_serialized
    async def put(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO kv(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _effect_row(effect: Effect, room: str, now: float) -> tuple[str, tuple[object, ...]]:
    """The statement that keeps one effect of a decision."""
    if isinstance(effect, Record):
        return (
            "INSERT INTO inputs(atelier_id, room, kind, author, content, extra, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                effect.atelier_id,
                effect.room,
                effect.kind,
                effect.author,
                effect.content,
                json.dumps(effect.extra, ensure_ascii=False),
                now,
            ),
        )
    if isinstance(effect, StartTimer):
        return (
            "INSERT OR REPLACE INTO timers(room, name, at) VALUES (?, ?, ?)",
            (effect.room, effect.name, effect.at),
        )
    if isinstance(effect, CancelTimer):
        return ("DELETE FROM timers WHERE room = ? AND name = ?", (effect.room, effect.name))
    return (
        "INSERT INTO outbox(room, effect, created_at) VALUES (?, ?, ?)",
        (room, effect_to_json(effect), now),
    )


PENDING = "SELECT id, room, effect, attempts, next_try FROM outbox"


def _outbox_item(row: tuple[object, ...]) -> "OutboxItem":
    item_id, room, effect, attempts, next_try = row
    return OutboxItem(
        id=int(item_id),  # type: ignore[call-overload]
        room=str(room),
        effect=effect_from_json(str(effect)),
        attempts=int(attempts),  # type: ignore[call-overload]
        next_try=float(next_try),  # type: ignore[arg-type]
    )
