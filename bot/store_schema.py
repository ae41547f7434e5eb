"""The store's tables, their numbered migrations, and how a state is laid out in them.

A state is kept as a small *head* (everything but its format and its entry lists, as JSON),
its format (JSON, written when the atelier starts), and one row per entry of its lists
(rules, problems, votes, contributions…). Entries are frozen models that the engine replaces
rather than changes, so the store tells a new entry from a stored one by identity and writes
only those; an event that changes nothing writes nothing of the state. Timers are not stored
apart: the deadlines live in the state (``timers``) and are re-armed from it at start-up.

These functions are synchronous: they run on the store's database thread.
"""

import json
import sqlite3
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from bot.state import AtelierState

__all__ = [
    "ENTRY_FIELDS",
    "MIGRATIONS",
    "NewerDatabaseError",
    "Statement",
    "Written",
    "decode_entry",
    "encode_entry",
    "migrate",
    "state_changes",
    "stored_state",
    "written",
]

#: the state's lists of frozen entries, kept one row per entry
ENTRY_FIELDS: tuple[str, ...] = tuple(
    name
    for name, info in AtelierState.model_fields.items()
    if get_origin(info.annotation) is list
    and isinstance(item := get_args(info.annotation)[0], type)
    and issubclass(item, BaseModel)
)
HEAD_EXCLUDED = {*ENTRY_FIELDS, "format"}

#: bodies longer than this are compressed (a long contribution, not a vote)
_COMPRESS_FROM = 512


class NewerDatabaseError(RuntimeError):
    """The database was written by a newer atelier-bot: refused rather than misread."""


def encode_entry(entry: BaseModel) -> str | bytes:
    text = entry.model_dump_json()
    return zlib.compress(text.encode(), 1) if len(text) > _COMPRESS_FROM else text


def decode_entry(body: str | bytes) -> Any:
    return json.loads(zlib.decompress(body) if isinstance(body, bytes) else body)


def _split_states(db: sqlite3.Connection) -> None:
    """Migration 2: each stored state becomes a head, a format and its entry rows."""
    rows = db.execute("SELECT id, head FROM ateliers").fetchall()  # the whole state, so far
    for atelier_id, text in rows:
        state = AtelierState.model_validate_json(text)
        head = state.model_dump_json(exclude=HEAD_EXCLUDED)
        db.execute(
            "UPDATE ateliers SET head = ?, format = ? WHERE id = ?",
            (head, state.format.model_dump_json(), atelier_id),
        )
        db.executemany(
            "INSERT INTO entries(atelier_id, field, position, body) VALUES (?, ?, ?, ?)",
            [
                (atelier_id, field, position, encode_entry(entry))
                for field in ENTRY_FIELDS
                for position, entry in enumerate(getattr(state, field))
            ],
        )


Migration = str | Callable[[sqlite3.Connection], None]


def _create_archive(db: sqlite3.Connection) -> None:
    """Migration 3. Statements one by one: the triggers hold semicolons of their own."""
    statement = ""
    for line in _ARCHIVE_SCHEMA.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


_ARCHIVE_SCHEMA = """    CREATE TABLE archive (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        number INTEGER NOT NULL,
        atelier_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        request TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (room, number)
    );
    CREATE VIRTUAL TABLE archive_words USING fts5(
        request, body, content='archive', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER archive_added AFTER INSERT ON archive BEGIN
        INSERT INTO archive_words(rowid, request, body) VALUES (new.id, new.request, new.body);
    END;
    CREATE TRIGGER archive_removed AFTER DELETE ON archive BEGIN
        INSERT INTO archive_words(archive_words, rowid, request, body)
        VALUES ('delete', old.id, old.request, old.body);
    END;
    CREATE TRIGGER archive_changed AFTER UPDATE ON archive BEGIN
        INSERT INTO archive_words(archive_words, rowid, request, body)
        VALUES ('delete', old.id, old.request, old.body);
        INSERT INTO archive_words(rowid, request, body) VALUES (new.id, new.request, new.body);
    END;
"""


MIGRATIONS: tuple[Sequence[Migration], ...] = (
    # 1: the first schema
    (
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
    ),
    # 2: states split into head, format and entry rows; timers come from the states
    (
        """
        ALTER TABLE ateliers RENAME COLUMN state TO head;
        ALTER TABLE ateliers ADD COLUMN format TEXT NOT NULL DEFAULT '';
        CREATE TABLE entries (
            atelier_id TEXT NOT NULL,
            field TEXT NOT NULL,
            position INTEGER NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (atelier_id, field, position)
        );
        DROP TABLE timers;
        """,
        _split_states,
    ),
    # 3: the rooms' archives of shared records, searchable (bot/store_archive.py)
    (_create_archive,),
    # 4: what a room remembers between sessions: offerers, carried problems (bot/cycles.py)
    (
        """
        CREATE TABLE offerers (
            room TEXT NOT NULL,
            user_id TEXT NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (room, user_id)
        );
        CREATE TABLE carried (
            room TEXT NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (room, author)
        );
        CREATE INDEX carried_at ON carried(at);
        """,
    ),
)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema to the latest version, one numbered step per transaction.

    Raises ``NewerDatabaseError`` for a database written by a newer version of the bot.
    """
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise NewerDatabaseError(
            f"the database is at schema version {version}, newer than this atelier-bot knows"
            f" ({len(MIGRATIONS)}): upgrade atelier-bot, or use a copy of the database made"
            " before the upgrade"
        )
    for number, steps in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            for step in steps:
                if callable(step):
                    step(db)
                    continue
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def stored_state(db: sqlite3.Connection, where: str, params: Sequence[object]) -> list[Any]:
    """The stored states (as JSON-ready dicts) of the ateliers matching ``where``, oldest first.

    ``where`` is a condition on ``ateliers`` (e.g. ``"active = 1"``).
    """
    heads = db.execute(
        f"SELECT id, head, format FROM ateliers WHERE {where} ORDER BY updated_at", params
    ).fetchall()
    states: list[Any] = []
    for atelier_id, head, format_json in heads:
        data = json.loads(head)
        data["format"] = json.loads(format_json)
        for field in ENTRY_FIELDS:
            data[field] = []
        for field, body in db.execute(
            "SELECT field, body FROM entries WHERE atelier_id = ? ORDER BY field, position",
            (atelier_id,),
        ):
            data[field].append(decode_entry(body))
        states.append(data)
    return states


@dataclass(slots=True)
class Written:
    """What the database holds of one atelier's state: its head's JSON, its format, and the
    entry lists as last written (their entries, compared by identity, tell what is new)."""

    head: str
    format: object
    lists: dict[str, list[Any]]


def written(state: AtelierState, head: str | None = None) -> Written:
    return Written(
        head=head if head is not None else state.model_dump_json(exclude=HEAD_EXCLUDED),
        format=state.format,
        lists={field: getattr(state, field) for field in ENTRY_FIELDS},
    )


Statement = tuple[str, tuple[object, ...]]


def state_changes(
    state: AtelierState, before: Written | None, now: float
) -> tuple[list[Statement], Written]:
    """The statements that bring the stored state from ``before`` to ``state``: none when
    nothing changed, else the head if it differs and the entries that are new or replaced."""
    head = state.model_dump_json(exclude=HEAD_EXCLUDED)
    after = written(state, head)
    sid, active, format_json = state.id, int(not state.finished), state.format.model_dump_json
    statements: list[Statement] = []
    if before is None:
        statements.append(("DELETE FROM entries WHERE atelier_id = ?", (sid,)))
        statements.append(
            (
                "INSERT INTO ateliers(id, room, head, format, active, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET head = excluded.head,"
                " format = excluded.format, active = excluded.active,"
                " updated_at = excluded.updated_at",
                (sid, state.room, head, format_json(), active, now),
            )
        )
        old_lists: dict[str, list[Any]] = {}
    else:
        if head != before.head:
            statements.append(
                (
                    "UPDATE ateliers SET head = ?, active = ?, updated_at = ? WHERE id = ?",
                    (head, active, now, sid),
                )
            )
        if state.format is not before.format:
            statements.append(
                (
                    "UPDATE ateliers SET format = ? WHERE id = ?",
                    (format_json(), sid),
                )
            )
        old_lists = before.lists
    for field, new in after.lists.items():
        old = old_lists.get(field, [])
        if new is old:
            continue
        common = min(len(old), len(new))
        # list equality tries identity first, in C: an unchanged prefix costs no Python loop
        start = common if new[:common] == old[:common] else 0
        for position in range(start, len(new)):
            entry = new[position]
            if position >= len(old) or entry is not old[position]:
                statements.append(
                    (
                        "INSERT OR REPLACE INTO entries(atelier_id, field, position, body)"
                        " VALUES (?, ?, ?, ?)",
                        (sid, field, position, encode_entry(entry)),
                    )
                )
        if len(old) > len(new):
            statements.append(
                (
                    "DELETE FROM entries WHERE atelier_id = ? AND field = ? AND position >= ?",
                    (sid, field, len(new)),
                )
            )
    return statements, after
