"""The group's archive (issue 16 §4): a record everyone agreed to share is kept and found again
by its words, accents and case aside; one not shared is not there; only a moderator or the
facilitator deletes one; a room sees only its own."""

import dataclasses

from replay_kit import Replay, replay

from bot.effects import Say, SayDirect
from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.markup import strip
from devkit.bench_stream import Recorded, record_atelier

ROOM = RoomId("!bench:localhost")


async def _ask(
    played: Replay, text: str, *, user: str = "p1", moderator: bool = False, room: str = ROOM
) -> str:
    """Type ``!atelier archives …`` in the room; the bot's answer, once it has come."""
    before = len(played.adapter.performed)
    n = before + 1000
    played.now[0] += 1
    await played.runtime.process(
        MessagePosted(
            room=RoomId(room),
            sender=UserId(user),
            sender_name=user.title(),
            text=f"!atelier {text}",
            message_id=MessageId(f"$a{n}"),
            event_id=EventId(f"$a{n}"),
            moderator=moderator,
        )
    )
    await played.runtime.settled()
    answers = [e for e in played.adapter.performed[before:] if isinstance(e, Say | SayDirect)]
    assert answers, f"no answer to {text!r}"
    return answers[-1].body


async def test_a_shared_record_is_found_again_by_its_words_accents_and_case_aside(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        latest = await _ask(played, "archives")
        assert "n° 1" in latest and "m'aide à avancer" in latest
        found = await _ask(played, "archives AVANCÉ groupe")  # "avancer", "groupe"
        assert "n° 1" in found
        assert "Aucune trace" in await _ask(played, "archives piscine")
        shown = await _ask(played, "archives 1")
        assert "Chez nous, nous avons essayé ceci." in shown  # the whole record
    finally:
        await played.close()


async def test_only_a_moderator_deletes_a_record_from_the_archive(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        refused = await _ask(played, "archives supprimer 1")
        assert "Seules les personnes qui modèrent" in refused
        assert "n° 1" in await _ask(played, "archives")
        assert "supprimée" in await _ask(played, "archives supprimer 1", moderator=True)
        assert "aucune trace" in await _ask(played, "archives")
    finally:
        await played.close()


async def test_fts_syntax_typed_by_a_person_is_only_words(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        for text in ('archives "avancer', "archives avancer OR NOT *", "archives ) ( NEAR"):
            await _ask(played, text)  # answered, never a failure
    finally:
        await played.close()


async def test_a_record_not_shared_is_not_archived(tmp_path):
    stream = record_atelier()
    refusing = [  # p2 answers ❌: not everyone agreed, the record is not shared
        Recorded(dataclasses.replace(r.event, key="no"), r.now)
        if getattr(r.event, "ref", None) == "record_consent" and r.event.sender == "p2"
        else r
        for r in stream
    ]
    played = await replay(tmp_path / "atelier.db", refusing)
    try:
        assert "aucune trace" in await _ask(played, "archives")
    finally:
        await played.close()


async def test_a_room_sees_only_its_own_archive(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        assert "aucune trace" in await _ask(played, "archives", room="!autre:localhost")
        assert "aucune trace" in await _ask(played, "archives 1", room="!autre:localhost") or (
            "Je ne trouve pas" in await _ask(played, "archives 1", room="!autre:localhost")
        )
    finally:
        await played.close()


async def test_history_lists_the_past_sessions_shared_or_not(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        history = strip(await _ask(played, "historique"))
        assert "trace n° 1" in history and "situation offerte par P1" in history
        assert "Aucune séance" in await _ask(played, "historique", room="!autre:localhost")
    finally:
        await played.close()
    stream = [
        Recorded(dataclasses.replace(r.event, key="no"), r.now)
        if getattr(r.event, "ref", None) == "record_consent" and r.event.sender == "p2"
        else r
        for r in record_atelier()
    ]
    played = await replay(tmp_path / "second.db", stream)
    try:
        assert "trace non partagée" in await _ask(played, "historique")
    finally:
        await played.close()


async def test_a_deleted_record_leaves_no_copy_in_the_database_or_its_log(tmp_path):
    """``archives supprimer`` erases the words for good: not in the table, not in the search
    index's pages, not in an old page of the write-ahead log (the README's promise)."""
    path = tmp_path / "atelier.db"
    played = await replay(path, record_atelier())
    try:
        assert "supprimée" in await _ask(played, "archives supprimer 1", moderator=True)
    finally:
        await played.close()
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert "Chez nous, nous avons essayé ceci.".encode() not in raw
    assert b"essaye" not in raw  # « essayé » as the search index keeps it (accents aside)
