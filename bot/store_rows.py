"""The rows one decision writes besides the state: its inputs, its outbox, delivery marks.

A delivery mark says that an outbox item was performed; it removes the item from the outbox
and keeps the platform id of a labelled message with its reference (``bot.refs``).
"""

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from bot.effects import Archive, Carry, Effect, Offered, Outward, Record
from bot.serialize import effect_from_json, effect_to_json
from bot.store_archive import archive_row
from bot.store_cycles import cycle_row
from bot.store_schema import Statement

__all__ = [
    "PENDING",
    "Mark",
    "OutboxItem",
    "effect_row",
    "effect_rows",
    "outbox_item",
    "transaction",
    "write_marks",
]

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


def effect_rows(effects: Sequence[Effect], room: str, now: float) -> list[Statement]:
    """The statements that keep a decision's effects: inputs, outbox, archive, the room's
    memory (timers are not among them: the state holds its deadlines)."""
    statements: list[Statement] = []
    for effect in effects:
        if isinstance(effect, Archive):
            statements.append(archive_row(effect))
        elif isinstance(effect, Offered | Carry):
            statements.append(cycle_row(effect, now))
        elif isinstance(effect, Record | Outward):
            statements.append(effect_row(effect, room, now))
    return statements


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


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An effect waiting in the outbox, with its delivery attempts."""

    id: int
    room: str
    effect: Effect
    attempts: int
    next_try: float


PENDING = "SELECT id, room, effect, attempts, next_try FROM outbox"


def outbox_item(row: tuple[object, ...]) -> OutboxItem:
    item_id, room, effect, attempts, next_try = cast(tuple[int, str, str, int, float], row)
    return OutboxItem(
        id=int(item_id),
        room=str(room),
        effect=effect_from_json(str(effect)),
        attempts=int(attempts),
        next_try=float(next_try),
    )
