"""The rows one decision writes besides the state: its inputs, its outbox, delivery marks.

A delivery mark says that an outbox item was performed; it removes the item from the outbox
and keeps the platform id of a labelled message with its reference (``bot.refs``).
"""

import json
import sqlite3
from collections.abc import Callable, Sequence

from bot.effects import Effect, Record
from bot.serialize import effect_to_json
from bot.store_schema import Statement

__all__ = ["Mark", "effect_row", "transaction", "write_marks"]

#: outbox id, room, platform message id, engine reference
Mark = tuple[int, str, str | None, str | None]


def effect_row(effect: Effect, room: str, now: float) -> Statement:
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
    return (
        "INSERT INTO outbox(room, effect, created_at) VALUES (?, ?, ?)",
        (room, effect_to_json(effect), now),
    )


def transaction(db: sqlite3.Connection, work: Callable[[], None]) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def write_marks(db: sqlite3.Connection, marks: Sequence[Mark]) -> None:
    """Delivered outbox items leave the outbox; the references of posted messages are kept."""
    if not marks:
        return
    db.executemany("DELETE FROM outbox WHERE id = ?", [(mark[0],) for mark in marks])
    db.executemany(
        "INSERT OR REPLACE INTO message_refs(room, message_id, ref) VALUES (?, ?, ?)",
        [(room, message_id, ref) for _, room, message_id, ref in marks if message_id and ref],
    )
