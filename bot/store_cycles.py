"""What a room remembers between its sessions (``bot/cycles.py``): who has already offered a
situation there, and the problems carried to its next session (tables: migration 4 in
``bot/store_schema.py``). Runs on the store's thread.

A carried problem is private: it is kept with the time it was carried, deleted when its author
confirms, replaces or withdraws it, asks to be forgotten, or when the room's retention period
has passed (``bot/retention.py``). Who offered a situation is kept until that person asks to
be forgotten.
"""

import sqlite3

from bot.effects import Carry, CycleQuery, Offered
from bot.events import CycleFound
from bot.store_schema import Statement

__all__ = ["cycle_memory", "cycle_row", "forget_in_cycles", "held_in_cycles"]


def cycle_row(effect: Offered | Carry, now: float) -> Statement:
    """The statement that keeps what the engine decided about the room's memory."""
    if isinstance(effect, Offered):
        return (
            "INSERT OR IGNORE INTO offerers(room, user_id, at) VALUES (?, ?, ?)",
            (effect.room, effect.user, now),
        )
    if not effect.text:
        return ("DELETE FROM carried WHERE room = ? AND author = ?", (effect.room, effect.author))
    return (
        "INSERT OR REPLACE INTO carried(room, author, text, at) VALUES (?, ?, ?, ?)",
        (effect.room, effect.author, effect.text, now),
    )


def cycle_memory(db: sqlite3.Connection, query: CycleQuery) -> CycleFound:
    offerers = db.execute("SELECT user_id FROM offerers WHERE room = ?", (query.room,))
    carried = db.execute(
        "SELECT author, text FROM carried WHERE room = ? ORDER BY at", (query.room,)
    )
    return CycleFound(
        room=query.room,
        atelier_id=query.atelier_id,
        offerers=tuple(str(user) for (user,) in offerers),
        carried=tuple((str(author), str(text)) for author, text in carried),
    )


def held_in_cycles(db: sqlite3.Connection, user: str) -> list[tuple[str, str]]:
    """For ``mes-données``: their carried problems, and the rooms where they offered one."""
    carried = db.execute("SELECT text FROM carried WHERE author = ? ORDER BY at", (user,))
    rooms = db.execute("SELECT room FROM offerers WHERE user_id = ? ORDER BY at", (user,))
    return [("carried", str(t)) for (t,) in carried] + [("offered", str(r)) for (r,) in rooms]


def forget_in_cycles(db: sqlite3.Connection, user: str) -> None:
    """For ``oublie-moi`` (inside its transaction)."""
    db.execute("DELETE FROM carried WHERE author = ?", (user,))
    db.execute("DELETE FROM offerers WHERE user_id = ?", (user,))
