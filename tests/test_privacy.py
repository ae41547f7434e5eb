"""Private stays private: a whole atelier at DEBUG logs none of what people wrote, and once it
has ended the database holds neither their words nor their names (bot/retention.py)."""

import logging
import sqlite3

from replay_kit import replay

from bot.events import DirectMessage, MessagePosted
from bot.store import Store
from bot.testing import RecordingAdapter
from devkit.bench_stream import PEOPLE, Recorded, record_atelier


def _written(stream: list[Recorded]) -> set[str]:
    """Everything people wrote in the stream, but the bare command words."""
    texts = set()
    for recorded in stream:
        event = recorded.event
        if isinstance(event, MessagePosted | DirectMessage):
            words = event.text.removeprefix("!atelier ").split(" ", 1)
            text = words[1] if len(words) > 1 and len(words[0]) < 12 else event.text
            if len(text) > 8:
                texts.add(text)
    return texts


async def _replay(tmp_path, stream: list[Recorded]) -> tuple[Store, RecordingAdapter]:
    played = await replay(tmp_path / "atelier.db", stream)
    await played.runtime.stop()
    return played.store, played.adapter


async def test_a_whole_atelier_at_debug_logs_nothing_anyone_wrote(tmp_path, caplog):
    stream = record_atelier()
    written = _written(stream)
    assert len(written) > 20
    with caplog.at_level(logging.DEBUG):
        store, _ = await _replay(tmp_path, stream)
        await store.close()
    leaked = [text for text in written if text in caplog.text]
    assert not leaked


async def test_an_ended_atelier_leaves_no_words_and_no_names_in_the_database(tmp_path):
    stream = record_atelier()
    store, adapter = await _replay(tmp_path, stream)
    await store.close()
    assert adapter.said_keys(), "the atelier ran"
    db = sqlite3.connect(tmp_path / "atelier.db")
    try:
        assert db.execute("SELECT count(*) FROM inputs").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        heads = " ".join(row[0] for row in db.execute("SELECT head FROM ateliers"))
    finally:
        db.close()
    assert heads  # the atelier is still known: when, where, which format
    for text in _written(stream):
        assert text not in heads
    for person in PEOPLE:
        assert f'"{person}"' not in heads
