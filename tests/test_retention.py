"""The data's life cycle (issue 16 §6): what stays private past an atelier is deleted once the
room's retention period has passed, by a sweep driven by the clock given to the runtime; a
forget-me takes effect at once. Proved on the SQLite file itself: every table, every text
column, and the raw bytes of the database and its write-ahead log."""

import sqlite3
from pathlib import Path

import pytest
from cycle_kit import Bot, clock_ahead
from runtime_kit import ROOM

from bot.config import ConfigError, load_config
from bot.effects import Carry
from bot.engine import EngineSettings
from bot.formats import StepKind
from bot.ids import RoomId, UserId
from bot.store import Store

DAY = 86_400
#: what people wrote privately: must not outlive the period (nor a forget-me)
PRIVATE = {
    "chosen": "PRIVZOE mon problème 🦊 choisi",
    "carried": "PRIVCARRY le problème de Bérénice ☂ à reporter",
    "other": "PRIVULY le problème d'Ulysse",
    "rebound": "PRIVREBOND une pensée d'Ulysse",
}
#: a hot feedback's word: private, until the record holding the group's summary (without
#: names) is shared with everyone's consent
FEELING = "FEELWORD fatiguée"
#: what the group agreed to share: kept until the group deletes it
SHARED = "SHAREDREQUEST m'aider à passer le relais"
NAMES = {"zoe": "Zoé Ænigma 🦊", "bere": "Bérénice", "uly": "Ulysse Ωmega"}


def _everything_stored(path: Path) -> str:
    """Every text and blob of every table, as one string (blobs decoded as they can be)."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = []
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        found.append(value.decode("utf-8", "replace"))
                    elif isinstance(value, str):
                        found.append(value)
        return "\n".join(found)
    finally:
        db.close()


def _raw(path: Path) -> bytes:
    """The bytes of the database file and of its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _left(haystack: str | bytes, words: list[str]) -> list[str]:
    if isinstance(haystack, bytes):
        lowered = haystack.lower()
        return [w for w in words if w.encode().lower() in lowered or w.encode() in haystack]
    return [w for w in words if w.lower() in haystack.lower()]


async def _session(bot: Bot) -> None:
    """Zoé offers (her request is shared); Bérénice carries her problem; Ulysse writes a
    rebound; Bérénice gives a feeling (its word goes into the group's summary); everyone
    agrees to share the record."""
    bot.names.update(NAMES)
    await bot.post("fac", "!atelier démarrer")
    for person in NAMES:
        await bot.post(person, "!atelier rejoindre")
    while bot.kind is not StepKind.PROBLEM_SEARCH:
        await bot.dm("fac", "suivant")
    await bot.dm("zoe", PRIVATE["chosen"])
    await bot.dm("bere", PRIVATE["carried"])
    await bot.dm("uly", PRIVATE["other"])
    await bot.dm("fac", "aller choix")
    await bot.post("zoe", "!atelier vote 1 1")
    await bot.dm("fac", "suivant")
    await bot.post("zoe", "!atelier oui")
    await bot.dm("fac", "aller reformulation")
    await bot.post("zoe", "!atelier demande " + SHARED)
    await bot.dm("fac", "aller reflection")
    await bot.dm("uly", PRIVATE["rebound"])
    await bot.dm("fac", "aller hot_feedback")
    await bot.post("bere", "!atelier ressenti 2 " + FEELING)
    await bot.dm("fac", "aller record")
    await bot.dm("bere", "reporter")
    await bot.dm("zoe", "oui")
    for person in ("bere", "uly"):
        await bot.dm(person, "oui")
    assert ROOM not in bot.runtime.states, "the atelier is over"


async def test_nothing_private_outlives_its_period_or_a_forget_me_in_the_sqlite_files(tmp_path):
    """After the session only the carried problem stays private; Ulysse's forget-me erases his
    name at once; 91 days later the sweep has erased the carried problem. No table, no column
    and no byte of the database or its log holds any of it; the shared record is still there."""
    path = tmp_path / "atelier.db"
    clock = clock_ahead()
    bot = await Bot(path, clock).open()
    try:
        await _session(bot)
        await bot.dm("uly", "oublie-moi")
        stored = _everything_stored(path)
        assert _left(stored, list(PRIVATE.values())) == [PRIVATE["carried"]]
        assert _left(stored, [NAMES["uly"], "Ulysse"]) == []
        assert _left(_raw(path), [NAMES["uly"], "Ωmega"]) == []  # at once, in every byte
        assert SHARED in stored
        clock.advance(91 * DAY)
        await bot.runtime.sweep()
    finally:
        await bot.close()
    stored = _everything_stored(path)
    raw = _raw(path)
    everything = [*PRIVATE.values(), NAMES["uly"], "Ωmega", "PRIVCARRY", "PRIVREBOND", "PRIV"]
    assert _left(stored, everything) == []
    assert _left(raw, everything) == []
    assert SHARED in stored and SHARED.encode() in raw  # the group's archive is kept


async def test_a_room_with_a_shorter_period_is_swept_first(tmp_path):
    """Room A keeps private inputs 30 days, room B the default 90: after 31 days only A's
    carried problem is gone; after 91 days both are."""
    store = await Store.open(tmp_path / "atelier.db")
    try:
        now = 1_800_000_000.0
        for room in ("!a:test", "!b:test"):
            carry = Carry(room=RoomId(room), author=UserId("@p:test"), text=f"PRIV {room}")
            await store.commit_decision(
                room=room, state=None, event_id=None, effects=[carry], now=now
            )
        rooms = (("!a:test", 30),)
        assert await store.sweep(now + 29 * DAY, 90, rooms) == []
        kept = _everything_stored(tmp_path / "atelier.db")
        assert "PRIV !a:test" in kept and "PRIV !b:test" in kept
        await store.sweep(now + 31 * DAY, 90, rooms)
        kept = _everything_stored(tmp_path / "atelier.db")
        assert "PRIV !a:test" not in kept and "PRIV !b:test" in kept
        await store.sweep(now + 91 * DAY, 90, rooms)
        assert "PRIV" not in _everything_stored(tmp_path / "atelier.db")
    finally:
        await store.close()


async def test_an_atelier_left_untouched_for_the_whole_period_is_closed_and_erased(tmp_path):
    """Nobody ended it and nobody wrote for 91 days: the sweep closes the atelier and erases
    what people wrote, as at a normal end; the room may start a new one."""
    path = tmp_path / "atelier.db"
    clock = clock_ahead()
    bot = await Bot(path, clock).open()
    try:
        await bot.post("fac", "!atelier démarrer")
        await bot.post("alice", "!atelier rejoindre")
        while bot.kind is not StepKind.PROBLEM_SEARCH:
            await bot.dm("fac", "suivant")
        await bot.dm("alice", "PRIVABANDON un problème jamais discuté")
        await bot.runtime.sweep()
        assert ROOM in bot.runtime.states  # today: still running
        clock.advance(91 * DAY)
        await bot.runtime.sweep()
        assert ROOM not in bot.runtime.states
        await bot.post("fac", "!atelier démarrer")
        assert ROOM in bot.runtime.states
    finally:
        await bot.close()
    assert "PRIVABANDON" not in _everything_stored(path)
    assert b"PRIVABANDON" not in _raw(path)


async def test_the_sweep_runs_with_the_runtime_at_the_configured_period(tmp_path):
    """The runtime sweeps at start-up, with the engine's settings: a carried problem older
    than the room's period is gone once the bot starts again."""
    path = tmp_path / "atelier.db"
    clock = clock_ahead()
    settings = EngineSettings(retention_days=90, room_retention_days=((ROOM, 7),))
    store = await Store.open(path)
    carry = Carry(room=RoomId(ROOM), author=UserId("bob"), text="PRIVSTART")
    await store.commit_decision(
        room=ROOM, state=None, event_id=None, effects=[carry], now=clock.now
    )
    await store.close()
    clock.advance(8 * DAY)
    bot = await Bot(path, clock, settings).open()
    try:
        assert await bot.memory() == ((), ())
    finally:
        await bot.close()


def test_the_retention_period_is_validated_with_a_clear_message(tmp_path):
    """0 days, a word, or an unknown key in a room's section: refused, naming the key."""
    config = tmp_path / "config.toml"
    config.write_text("[bot]\nretention_days = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[bot\] retention_days"):
        load_config(config, environ={})
    config.write_text('[rooms."!a:test"]\nretention_days = "trente"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[rooms\] !a:test.retention_days"):
        load_config(config, environ={})
    config.write_text('[rooms."!a:test"]\nretention_days = 30\nretention = 30\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(config, environ={})
    config.write_text('[bot]\nretention_days = 60\n[rooms."!a:test"]\nretention_days = 30\n')
    loaded = load_config(config, environ={})
    assert loaded.bot.retention_days == 60 and loaded.rooms["!a:test"].retention_days == 30
