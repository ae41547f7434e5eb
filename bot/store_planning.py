"""The rooms' agendas in the store: one row per room with planned sessions (``bot.agenda``).

The table is made by migration 5 (``bot.store_schema``). An agenda is small (a few dozen
sessions) and changes a session at a time, so it is written whole, as JSON, in the transaction
of the decision that changed it; an agenda left without sessions is deleted.
These functions are synchronous: they run on the store's database thread.
"""

import sqlite3
from collections.abc import Sequence

from bot import clock
from bot.agenda import Agenda
from bot.store_schema import Statement

__all__ = [
    "Agenda",
    "agenda_data",
    "agenda_statements",
    "ended_rows",
    "planning_refs",
    "stored_agendas",
]


def agenda_statements(agendas: Sequence[Agenda], now: float) -> list[Statement]:
    """The statements that keep the agendas a decision changed."""
    statements: list[Statement] = []
    for agenda in agendas:
        if agenda.empty:  # nothing planned left: nor are the invitations' references kept
            statements.append(("DELETE FROM agendas WHERE room = ?", (agenda.room,)))
            statements.append(
                ("DELETE FROM message_refs WHERE room = ? AND ref LIKE 'plan:%'", (agenda.room,))
            )
            continue
        statements.append(
            (
                "INSERT INTO agendas(room, body, updated_at) VALUES (?, ?, ?) ON CONFLICT(room)"
                " DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (agenda.room, agenda.model_dump_json(), now),
            )
        )
    return statements


def ended_rows(room: str, atelier_id: str) -> list[Statement]:
    """An atelier is over: its labels mean nothing to the next one in this room (a ✋ on an old
    welcome must not register anyone), and they are not kept; nor is anything people wrote
    (bot/retention.py). The labels of the room's invitations to planned sessions stay."""
    return [
        ("DELETE FROM message_refs WHERE room = ? AND ref NOT LIKE 'plan:%'", (room,)),
        ("DELETE FROM inputs WHERE atelier_id = ?", (atelier_id,)),
    ]


def planning_refs(refs: dict[str, str], loaded: bool) -> dict[str, str]:
    """The message labels of a room kept in memory after its atelier ended: its invitations'."""
    return {m: r for m, r in refs.items() if r.startswith("plan:")} if loaded else {}


def stored_agendas(db: sqlite3.Connection) -> dict[str, Agenda]:
    return {
        str(room): Agenda.model_validate_json(str(body))
        for room, body in db.execute("SELECT room, body FROM agendas ORDER BY room")
    }


def agenda_data(db: sqlite3.Connection, user: str) -> list[tuple[str, str]]:
    """What the agendas hold about ``user`` (``mes-données``): the sessions they said they
    come to, their check-in answers, the date slots that suit them, a follow-up to come, the
    news they asked for."""
    found: list[tuple[str, str]] = []
    for agenda in stored_agendas(db).values():
        tz = agenda.timezone

        def day(at: float, tz: str = tz) -> str:
            return f"{clock.date(at, tz)} {clock.clock(at, tz)}"

        for session in agenda.sessions:
            if user in session.coming or user == session.facilitator:
                found.append(("planned_session", day(session.start)))
            if user in session.answers:
                found.append(("check_in", session.answers[user]))
        for poll in agenda.polls:
            found += [("date_slot", day(s.at)) for s in poll.slots if user in s.suits]
        found += [("follow_up", day(f.due)) for f in agenda.follow_ups if f.offerer == user]
        found += [("news_wanted", day(f.due)) for f in agenda.follow_ups if user in f.listeners]
    return found
