"""The retention sweep (``bot/retention.py``): what stays private past an atelier is deleted
once the room's retention period has passed. Runs on the store's thread, in one transaction,
then empties the write-ahead log into the file so that no copy of deleted rows lingers.
"""

import json
import sqlite3

from bot.retention import cutoff, scrubbed
from bot.state import AtelierState
from bot.store_schema import ENTRY_FIELDS, HEAD_EXCLUDED

__all__ = ["sweep"]


def sweep(
    db: sqlite3.Connection, now: float, default: int, rooms: tuple[tuple[str, int], ...]
) -> list[tuple[str, str]]:
    """Delete what outlived its room's period; returns the ateliers closed for being left
    untouched that long, as (room, atelier id)."""
    special = [room for room, _ in rooms]
    marks = ",".join("?" * len(special))
    periods: list[tuple[str, tuple[str, ...], float]] = [
        ("room = ?", (room,), cutoff(now, days)) for room, days in rooms
    ]
    periods.append(
        (f"room NOT IN ({marks})" if special else "1", tuple(special), cutoff(now, default))
    )
    closed: list[tuple[str, str]] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for where, params, before in periods:
            db.execute(f"DELETE FROM carried WHERE {where} AND at < ?", (*params, before))
            db.execute(f"DELETE FROM outbox WHERE {where} AND created_at < ?", (*params, before))
            for atelier_id, room, head, format_json in db.execute(
                f"SELECT id, room, head, format FROM ateliers WHERE active = 1 AND {where}"
                " AND updated_at < ?",
                (*params, before),
            ).fetchall():
                _close(db, str(atelier_id), str(room), str(head), str(format_json))
                closed.append((str(room), str(atelier_id)))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return closed


def _close(db: sqlite3.Connection, atelier_id: str, room: str, head: str, format_json: str) -> None:
    """An atelier left untouched for the whole period: erased as at its end."""
    data = json.loads(head)
    data["format"] = json.loads(format_json)
    for field in ENTRY_FIELDS:
        data[field] = []
    kept = scrubbed(AtelierState.model_validate(data))
    db.execute(
        "UPDATE ateliers SET head = ?, active = 0 WHERE id = ?",
        (kept.model_dump_json(exclude=HEAD_EXCLUDED), atelier_id),
    )
    db.execute("DELETE FROM entries WHERE atelier_id = ?", (atelier_id,))
    db.execute("DELETE FROM inputs WHERE atelier_id = ?", (atelier_id,))
    db.execute("DELETE FROM message_refs WHERE room = ?", (room,))
