"""The rooms' agendas in the store: one row per room with planned sessions (``bot.agenda``).

The table is made by migration 4 (``bot.store_schema``). An agenda is small (a few dozen
sessions) and changes a session at a time, so it is written whole, as JSON, in the transaction
of the decision that changed it; an agenda left without sessions is deleted.
These functions are synchronous: they run on the store's database thread.
"""

import sqlite3

from bot.agenda import Agenda
from bot.store_schema import Statement

__all__ = ["agenda_statements", "stored_agendas"]


def agenda_statements(agenda: Agenda, now: float) -> list[Statement]:
    if agenda.empty:  # nothing planned left: nor are the invitations' references kept
        return [
            ("DELETE FROM agendas WHERE room = ?", (agenda.room,)),
            ("DELETE FROM message_refs WHERE room = ? AND ref LIKE 'plan:%'", (agenda.room,)),
        ]
    return [
        (
            "INSERT INTO agendas(room, body, updated_at) VALUES (?, ?, ?) ON CONFLICT(room)"
            " DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            (agenda.room, agenda.model_dump_json(), now),
        )
    ]


def stored_agendas(db: sqlite3.Connection) -> dict[str, Agenda]:
    return {
        str(room): Agenda.model_validate_json(str(body))
        for room, body in db.execute("SELECT room, body FROM agendas ORDER BY room")
    }
