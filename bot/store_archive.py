"""The rooms' archives: the records each group agreed to share, searchable by their words.

Kept until the group deletes one (``archives supprimer N``); numbered per room (n° 1 is the
room's first shared record). Search is SQLite FTS5 with the ``unicode61`` tokenizer without
diacritics: "benevole" finds "Bénévoles" (the tables: migration 3 in ``bot/store_schema.py``).
Every function runs on the store's thread.
"""

import json
import re
import sqlite3

from bot.effects import Archive, ArchiveNote, ArchiveQuery
from bot.events import Archived, ArchiveFound, PastSession
from bot.store_schema import Statement

__all__ = ["archive_row", "look_up", "words_gone"]

#: records listed for a search or the latest ones
SHOWN = 5
#: past sessions listed by ``historique``
HISTORY = 20
#: words of a search taken into account
MOST_WORDS = 8


def archive_row(effect: Archive | ArchiveNote) -> Statement:
    """The statement that keeps a shared record (numbered after the room's last one), or
    appends a note to it."""
    if isinstance(effect, ArchiveNote):
        return (
            "UPDATE archive SET body = body || ? WHERE atelier_id = ?",
            (effect.text, effect.atelier_id),
        )
    return (
        "INSERT OR IGNORE INTO archive(room, number, atelier_id, title, request, body)"
        " VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM archive WHERE room = ?),"
        " ?, ?, ?, ?)",
        (
            effect.room,
            effect.room,
            effect.atelier_id,
            effect.title,
            effect.request,
            effect.text,
        ),
    )


def words_gone(db: sqlite3.Connection) -> None:
    """After records were deleted or changed (outside a transaction): the search index drops
    the old words — FTS5 only marks them deleted until its segments are merged — and the
    write-ahead log is emptied into the file, so that no copy stays (``bot/retention.py``)."""
    db.execute("INSERT INTO archive_words(archive_words) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def look_up(db: sqlite3.Connection, query: ArchiveQuery) -> ArchiveFound:
    """Search, show or delete, in the query's room only."""
    if query.history:
        return _history(db, query)
    found: list[tuple[object, ...]]
    deleted = False
    columns = "SELECT number, title, request, body FROM archive"
    if query.delete and query.number is not None:
        cursor = db.execute(
            "DELETE FROM archive WHERE room = ? AND number = ?", (query.room, query.number)
        )
        deleted = cursor.rowcount > 0
        found = []
        if deleted:
            words_gone(db)
    elif query.number is not None:
        found = db.execute(
            columns + " WHERE room = ? AND number = ?", (query.room, query.number)
        ).fetchall()
    elif terms := _terms(query.words):
        found = db.execute(
            columns + " WHERE room = ? AND id IN"
            " (SELECT rowid FROM archive_words WHERE archive_words MATCH ?)"
            " ORDER BY number DESC LIMIT ?",
            (query.room, terms, SHOWN),
        ).fetchall()
    else:
        found = db.execute(
            columns + " WHERE room = ? ORDER BY number DESC LIMIT ?", (query.room, SHOWN)
        ).fetchall()
    return ArchiveFound(
        room=query.room,
        query=query,
        found=tuple(
            Archived(number=int(str(n)), title=str(t), request=str(r), text=str(b))
            for n, t, r, b in found
        ),
        deleted=deleted,
    )


def _history(db: sqlite3.Connection, query: ArchiveQuery) -> ArchiveFound:
    """The room's ended ateliers, latest first, with their shared record if any."""
    rows = db.execute(
        "SELECT ateliers.head, archive.number, archive.title FROM ateliers"
        " LEFT JOIN archive ON archive.atelier_id = ateliers.id"
        " WHERE ateliers.room = ? AND ateliers.active = 0"
        " ORDER BY ateliers.updated_at DESC LIMIT ?",
        (query.room, HISTORY),
    ).fetchall()
    sessions = []
    for head, number, title in rows:
        state = json.loads(str(head))
        sessions.append(
            PastSession(
                started_at=float(state.get("started_at", 0.0)),
                timezone=str(state.get("timezone", "Europe/Paris")),
                number=None if number is None else int(str(number)),
                title=None if title is None else str(title),
            )
        )
    return ArchiveFound(room=query.room, query=query, history=tuple(sessions))


def _terms(words: str) -> str:
    """FTS5 query from what a person typed: each word as a prefix, all of them required.
    Punctuation and FTS5 operators typed by a person are not syntax: only word characters."""
    tokens = re.findall(r"\w+", words)[:MOST_WORDS]
    return " ".join(f'"{token[:40]}"*' for token in tokens)
