"""What the store holds about one person, shown to them (``mes-données``) or erased at their
request (``oublie-moi``): their inputs in the ateliers running now (an ended atelier keeps
none, ``bot/retention.py``), what the rooms remember of them between sessions (a carried
problem, having offered a situation: ``bot/store_cycles.py``), and the archived records where
their name appears — the name is then replaced by a neutral mention (records were shared with
everyone's consent, so the rest of the text stays the group's). Runs on the store's thread.
"""

import sqlite3

from bot.effects import PersonalData
from bot.events import PersonalDataFound
from bot.markup import user
from bot.store_archive import words_gone
from bot.store_cycles import forget_in_cycles, held_in_cycles
from bot.store_planning import agenda_data

__all__ = ["NEUTRAL", "personal_data"]

#: what replaces a forgotten person's name in archived records
NEUTRAL = {"fr": "une personne du groupe", "en": "a member of the group"}


def personal_data(db: sqlite3.Connection, query: PersonalData) -> PersonalDataFound:
    running = "SELECT id FROM ateliers WHERE active = 1"
    inputs = db.execute(
        f"SELECT kind, content FROM inputs WHERE author = ? AND atelier_id IN ({running})"
        " AND content != '' ORDER BY id",
        (query.user,),
    ).fetchall() + held_in_cycles(db, query.user)
    marked = [user(name) for name in query.names if name.strip()]
    records = [
        (row_id, title, body)
        for row_id, title, body in db.execute("SELECT id, title, body FROM archive")
        if any(name in body or name in title for name in marked)
    ]
    if query.forget:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            f"DELETE FROM inputs WHERE author = ? AND atelier_id IN ({running})", (query.user,)
        )
        forget_in_cycles(db, query.user)
        neutral = user(NEUTRAL.get(query.lang, NEUTRAL["en"]))
        for row_id, title, body in records:
            for name in marked:
                title, body = title.replace(name, neutral), body.replace(name, neutral)
            db.execute("UPDATE archive SET title = ?, body = ? WHERE id = ?", (title, body, row_id))
        db.execute("COMMIT")
        if records:
            words_gone(db)
        else:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left in the log (retention)
    inputs += agenda_data(db, query.user)  # planned sessions (bot/store_planning.py)
    return PersonalDataFound(
        room=query.room,
        user=query.user,
        forget=query.forget,
        inputs=tuple((str(kind), str(content)) for kind, content in inputs),
        records=len(records),
    )
