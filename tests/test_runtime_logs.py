"""What people write never reaches the bot's log, even when handling it fails."""

import logging

import pytest

from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.formats import load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import RecordingAdapter

SECRET = "mon chef me harcèle depuis des mois"


@pytest.fixture
async def runtime(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    engine = Engine(EngineSettings(), load_formats())
    runtime = Runtime(engine, store, [RecordingAdapter()])
    await runtime.start()
    yield runtime
    await runtime.stop()
    await store.close()


def _failing_decide(*args, **kwargs):
    event = next(a for a in (*args, *kwargs.values()) if hasattr(a, "text"))
    raise ValueError(f"cannot read {event.text!r}")  # as a validation error quotes its input


async def test_a_failure_is_logged_without_the_text_that_caused_it(runtime, caplog, monkeypatch):
    await runtime.process(
        MessagePosted(
            room=RoomId("!salon:test"),
            sender=UserId("fac"),
            sender_name="Fac",
            text="!atelier start",
            message_id=MessageId("$m1"),
            event_id=EventId("$e1"),
        )
    )
    monkeypatch.setattr(runtime.engine, "decide", _failing_decide)
    with caplog.at_level(logging.DEBUG):
        await runtime.receive(
            DirectIn(platform="test", sender=UserId("alice"), sender_name="Alice", text=SECRET)
        )
    assert "ValueError" in caplog.text  # the failure is reported…
    assert "harcèle" not in caplog.text  # …without what alice wrote
