"""Persistence on SQLite (aiosqlite, WAL): ateliers, inputs, processed events, outbox.

One ``commit_decision`` call writes everything a decision produced in one transaction, so
nothing is acknowledged that is not stored, and a crash never leaves half a decision. Of the
state it writes only what changed (see ``bot.store_schema``). Delivery marks (an outbox item
performed, the platform id of the message it posted) ride with the next transaction, or are
written after a short idle delay: an event costs one trip to the database thread. The
message references of the rooms in use are kept in memory, so a reaction costs no lookup.
The schema is versioned (``PRAGMA user_version``) and upgraded by numbered migrations; a
database newer than the code is refused.
"""

import asyncio
import functools
import json
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

from bot.effects import ArchiveQuery, CycleQuery, Effect, PersonalData
from bot.events import ArchiveFound, CycleFound, PersonalDataFound
from bot.retention import EVENT_IDS_DAYS, scrubbed
from bot.state import AtelierState
from bot.store_archive import look_up
from bot.store_cycles import cycle_memory
from bot.store_people import personal_data
from bot.store_rows import (
    PENDING,
    Mark,
    OutboxItem,
    effect_rows,
    outbox_item,
    transaction,
    write_marks,
)
from bot.store_schema import (
    MIGRATIONS,
    NewerDatabaseError,
    Statement,
    Written,
    migrate,
    state_changes,
    stored_state,
    written,
)
from bot.store_sweep import sweep

__all__ = ["MIGRATIONS", "NewerDatabaseError", "OutboxItem", "Store"]

log = logging.getLogger(__name__)

#: seconds after a delivery before its marks are written, if no decision carried them
MARKS_DELAY = 0.2


def _owner_only(path: Path) -> None:
    """A new database is created readable by its owner only (its WAL files take the same mode,
    as SQLite does); an existing one readable by others is reported, not changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s can be read by other users of this machine: chmod 600 it", path)


P = ParamSpec("P")
R = TypeVar("R")


def _serialized(
    method: Callable[Concatenate["Store", P], Awaitable[R]],
) -> Callable[Concatenate["Store", P], Coroutine[Any, Any, R]]:
    """One connection serves many coroutines: each call runs alone, so transactions never mix."""

    async def wrapper(self: "Store", /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._lock:
            return await method(self, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


class Store:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._written: dict[str, Written] = {}  # by atelier id
        self._marks: list[Mark] = []  # delivered, not yet written
        self._marks_handle: asyncio.TimerHandle | None = None
        self._marks_tasks: set[asyncio.Task[None]] = set()
        self._refs: dict[str, dict[str, str]] = {}  # room → platform message id → ref
        self._refs_loaded: set[str] = set()  # rooms whose stored references are in _refs
        self._next_prune = 0.0  # when old event ids are next deleted (with a decision)

    @classmethod
    async def open(cls, path: str | Path) -> "Store":
        """Open (or create) the database and upgrade its schema.

        Raises ``NewerDatabaseError`` if a newer atelier-bot wrote it.
        """
        if str(path) != ":memory:":
            _owner_only(Path(path))
        db = await aiosqlite.connect(str(path), isolation_level=None)
        store = cls(db)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA secure_delete=ON")  # deleted words overwritten (retention)
            await store._in_thread(migrate)
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self.flush()
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _in_thread(self, work: Callable[[sqlite3.Connection], R]) -> R:
        """Run ``work`` on aiosqlite's thread with the connection: one hop for a whole
        transaction instead of one per statement (the hops were most of the runtime's cost).

        This uses aiosqlite's ``_execute``, which every public call of it goes through;
        aiosqlite is pinned below the next minor version for that reason.
        """
        db = self._db
        execute: Callable[[Callable[[], R]], Awaitable[R]] = db._execute  # untyped in aiosqlite
        return await execute(lambda: work(db._conn))

    async def _rows(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """A query's rows in one hop."""
        return await self._in_thread(lambda db: db.execute(query, params).fetchall())

    # -- ateliers ------------------------------------------------------------------------------
    @_serialized
    async def active_ateliers(self) -> dict[str, AtelierState]:
        """The ateliers under way, by room; their rooms' message references come along."""

        def work(db: sqlite3.Connection) -> tuple[list[object], list[tuple[object, ...]]]:
            states = stored_state(db, "active = 1", ())
            refs = db.execute(
                "SELECT room, message_id, ref FROM message_refs WHERE room IN"
                " (SELECT room FROM ateliers WHERE active = 1) ORDER BY rowid"
            ).fetchall()
            return states, refs

        data, refs = await self._in_thread(work)
        states: dict[str, AtelierState] = {}
        for item in data:
            state = AtelierState.model_validate(item)
            states[state.room] = state
            self._written[state.id] = written(state)
        self._merge_refs(set(states), refs)
        return states

    @_serialized
    async def atelier(self, atelier_id: str) -> AtelierState | None:
        data = await self._in_thread(lambda db: stored_state(db, "id = ?", (atelier_id,)))
        return AtelierState.model_validate(data[0]) if data else None

    @_serialized
    async def commit_decision(
        self,
        *,
        room: str,
        state: AtelierState | None,
        event_id: str | None,
        effects: Sequence[Effect],
        now: float,
    ) -> list[OutboxItem] | None:
        """Store one decision atomically (what changed of the state, inputs, outbox, the
        event id, and the delivery marks not yet written).

        Returns the room's pending effects, oldest first (read in the same trip to the
        database), or None, storing nothing of the decision, when that event id was already
        handled.
        """
        statements: list[Statement] = []
        after: Written | None = None
        ended = state is not None and state.finished
        if state is not None:
            kept = scrubbed(state) if ended else state  # bot/retention.py
            statements, after = state_changes(kept, self._written.get(state.id), now)
        statements += effect_rows(effects, room, now)
        marks = self._take_marks()
        if ended and state is not None:
            # the atelier is over: its labels mean nothing to the next one in this room (a ✋
            # on an old welcome must not register anyone), and they are not kept; nor is
            # anything people wrote (bot/retention.py)
            statements.append(("DELETE FROM message_refs WHERE room = ?", (room,)))
            statements.append(("DELETE FROM inputs WHERE atelier_id = ?", (state.id,)))
        if now >= self._next_prune:
            statements.append(
                (
                    "DELETE FROM processed_events WHERE at < ?",
                    (now - EVENT_IDS_DAYS * 86_400,),
                )
            )
            self._next_prune = now + 3_600

        def work(db: sqlite3.Connection) -> list[tuple[object, ...]] | None:
            db.execute("BEGIN IMMEDIATE")
            try:
                write_marks(db, marks)
                if event_id is not None:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO processed_events(event_id, room, at)"
                        " VALUES (?, ?, ?)",
                        (event_id, room, now),
                    )
                    if cursor.rowcount == 0:
                        db.execute("COMMIT")  # the marks only
                        return None
                for sql, params in statements:
                    db.execute(sql, params)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return db.execute(PENDING + " WHERE room = ? ORDER BY id", (room,)).fetchall()

        try:
            rows = await self._in_thread(work)
        except BaseException:
            self._marks[:0] = marks
            raise
        if rows is None:
            return None
        if ended:
            self._refs[room] = {}
            self._refs_loaded.add(room)
        if state is not None and after is not None:
            if state.finished:
                self._written.pop(state.id, None)
            else:
                self._written[state.id] = after
        return [outbox_item(row) for row in rows]

    # -- outbox --------------------------------------------------------------------------------
    @_serialized
    async def pending(self, room: str | None = None) -> list[OutboxItem]:
        query = PENDING
        params: tuple[str, ...] = ()
        if room is not None:
            query += " WHERE room = ?"
            params = (room,)
        marks = self._take_marks()

        def work(db: sqlite3.Connection) -> list[tuple[object, ...]]:
            if marks:
                transaction(db, lambda: write_marks(db, marks))
            return db.execute(query + " ORDER BY id", params).fetchall()

        try:
            rows = await self._in_thread(work)
        except BaseException:
            self._marks[:0] = marks
            raise
        return [outbox_item(row) for row in rows]

    def delivered(self, room: str, items: Sequence[tuple[int, str | None, str | None]]) -> None:
        """Outbox items performed: ``(outbox id, platform message id, engine ref)`` each.

        Known at once; written with the next transaction, after ``MARKS_DELAY``, or on close.
        """
        refs = self._refs.setdefault(room, {})
        for item_id, message_id, ref in items:
            self._marks.append((item_id, room, message_id, ref))
            if message_id and ref:
                refs.pop(message_id, None)
                refs[message_id] = ref
        if self._marks and self._marks_handle is None:
            self._marks_handle = asyncio.get_running_loop().call_later(
                MARKS_DELAY, self._flush_soon
            )

    def _flush_soon(self) -> None:
        self._marks_handle = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._marks_tasks.add(task)
        task.add_done_callback(self._marks_tasks.discard)

    def _take_marks(self) -> list[Mark]:
        marks, self._marks = self._marks, []
        return marks

    @_serialized
    async def flush(self) -> None:
        """Write the delivery marks not written yet."""
        if self._marks_handle is not None:
            self._marks_handle.cancel()
            self._marks_handle = None
        marks = self._take_marks()
        if not marks:
            return
        try:
            await self._in_thread(lambda db: transaction(db, lambda: write_marks(db, marks)))
        except BaseException:
            self._marks[:0] = marks
            raise

    @_serialized
    async def failed(self, item_id: int, next_try: float) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_try = ? WHERE id = ?",
            (next_try, item_id),
        )

    @_serialized
    async def retry_now(self, room: str) -> None:
        await self._db.execute("UPDATE outbox SET next_try = 0 WHERE room = ?", (room,))

    # -- message references, inputs, small values ----------------------------------------------
    def _merge_refs(self, rooms: set[str], rows: list[tuple[object, ...]]) -> None:
        """Take the stored references of ``rooms``; those delivered since stay the newest."""
        loaded: dict[str, dict[str, str]] = {room: {} for room in rooms}
        for room, message_id, ref in rows:
            refs = loaded[str(room)]
            refs.pop(str(message_id), None)
            refs[str(message_id)] = str(ref)
        for room, refs in loaded.items():
            for message_id, ref in self._refs.get(room, {}).items():
                refs.pop(message_id, None)
                refs[message_id] = ref
            self._refs[room] = refs
        self._refs_loaded |= rooms

    async def _room_refs(self, room: str) -> dict[str, str]:
        if room not in self._refs_loaded:
            async with self._lock:
                rows = await self._rows(
                    "SELECT room, message_id, ref FROM message_refs WHERE room = ? ORDER BY rowid",
                    (room,),
                )
            self._merge_refs({room}, rows)
        return self._refs[room]

    async def ref_for(self, room: str, message_id: str) -> str | None:
        return (await self._room_refs(room)).get(message_id)

    async def message_for_ref(self, room: str, ref: str) -> str | None:
        """The platform id of the bot's latest message labelled ``ref`` in that room."""
        refs = await self._room_refs(room)
        return next((mid for mid in reversed(refs) if refs[mid] == ref), None)

    @_serialized
    async def inputs(self, atelier_id: str) -> list[dict[str, str]]:
        async with self._db.execute(
            "SELECT kind, author, content, extra FROM inputs WHERE atelier_id = ? ORDER BY id",
            (atelier_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [{"kind": r[0], "author": r[1], "content": r[2], **json.loads(r[3])} for r in rows]

    @_serialized
    async def answer(
        self, query: ArchiveQuery | PersonalData | CycleQuery
    ) -> ArchiveFound | PersonalDataFound | CycleFound:
        """What was asked: the room's archive (bot/store_archive.py), what the store holds
        about a person, erased if they asked so (bot/store_people.py), or what the room
        remembers of its sessions (bot/store_cycles.py)."""
        if isinstance(query, ArchiveQuery):
            return await self._in_thread(lambda db: look_up(db, query))
        if isinstance(query, CycleQuery):
            return await self._in_thread(lambda db: cycle_memory(db, query))
        return await self._in_thread(lambda db: personal_data(db, query))

    @_serialized
    async def sweep(self, now: float, days: int, rooms: tuple[tuple[str, int], ...]) -> list[str]:
        """Delete what outlived its retention period (bot/store_sweep.py); the rooms whose
        atelier, left untouched that long, was closed."""
        closed = await self._in_thread(lambda db: sweep(db, now, days, rooms))
        for room, atelier_id in closed:
            self._written.pop(atelier_id, None)
            self._refs[room] = {}
        return [room for room, _ in closed]

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
