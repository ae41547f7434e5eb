"""The store's contract, on a file and in memory: what it keeps, what it refuses, what it costs."""

import sqlite3
import time

import pytest
from test_runtime import ROOM, _post

from bot.effects import Say, StartTimer
from bot.engine import Engine, EngineSettings
from bot.formats import load_formats
from bot.state import Entry
from bot.store import MIGRATIONS, NewerDatabaseError, Store
from bot.store_schema import stored_state

ENGINE = Engine(EngineSettings(), load_formats())


@pytest.fixture(params=["file", "memory"])
async def store(request, tmp_path):
    store = await Store.open(tmp_path / "atelier.db" if request.param == "file" else ":memory:")
    yield store
    await store.close()


class _Trips:
    """Counts the store's trips to its database thread."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = store._in_thread

        async def counted(work):  # type: ignore[no-untyped-def]
            self.count += 1
            return await original(work)

        monkeypatch.setattr(store, "_in_thread", counted)


async def _atelier(store: Store, events: int = 3):
    """An atelier started and joined by a few people, committed event by event."""
    state = None
    texts = ["!atelier start", "!atelier join", "!atelier join", "!atelier join"]
    users = ["fac", "alice", "bob", "chloe"]
    for n in range(events):
        now = time.time()
        state, effects = ENGINE.decide(state, _post(users[n], texts[n], n), now)
        assert state is not None
        await store.commit_decision(
            room=ROOM, state=state, event_id=f"$e{n}", effects=effects, now=now
        )
    return state


async def test_a_committed_state_reads_back_equal(store):
    state = await _atelier(store)
    assert (await store.active_ateliers())[ROOM] == state
    assert await store.atelier(state.id) == state


async def test_replaced_and_removed_entries_read_back(store):
    state = await _atelier(store)

    rules = [Entry(number=i, author="alice", text="x" * 600 * i, at=1.0) for i in range(4)]
    state = state.model_copy(update={"rules": rules})
    await store.commit_decision(room=ROOM, state=state, event_id=None, effects=[], now=1.0)
    state = state.model_copy(
        update={"rules": [rules[0], rules[2].model_copy(update={"text": "y"})]}
    )
    await store.commit_decision(room=ROOM, state=state, event_id=None, effects=[], now=2.0)
    assert await store.atelier(state.id) == state
    assert (await store.active_ateliers())[ROOM] == state


async def test_an_unchanged_state_is_not_rewritten(store):
    state = await _atelier(store)
    await store.commit_decision(room=ROOM, state=state, event_id=None, effects=[], now=9.0)
    before = store._db.total_changes
    await store.commit_decision(room=ROOM, state=state, event_id=None, effects=[], now=10.0)
    assert store._db.total_changes == before


async def test_an_event_id_is_handled_once(store):
    state = await _atelier(store)
    again = await store.commit_decision(
        room=ROOM, state=state, event_id="$e1", effects=[], now=time.time()
    )
    assert again is None


async def test_a_decision_costs_one_trip_and_a_reaction_lookup_none(store, monkeypatch):
    await _atelier(store)
    pending = await store.pending(ROOM)
    store.delivered(ROOM, [(item.id, f"$bot{item.id}", "welcome") for item in pending])
    await store.active_ateliers()
    trips = _Trips(store, monkeypatch)
    assert await store.ref_for(ROOM, f"$bot{pending[0].id}") == "welcome"
    assert await store.ref_for(ROOM, "$someone-else") is None
    assert trips.count == 0
    state = await store.atelier((await store.active_ateliers())[ROOM].id)
    trips.count = 0
    say = Say(room=ROOM, key="k", body="b", ref="r")
    await store.commit_decision(room=ROOM, state=state, event_id="$x", effects=[say], now=1.0)
    assert trips.count == 1


async def test_delivery_marks_are_known_at_once_and_written_with_the_next_decision(store):
    state = await _atelier(store)
    pending = await store.pending(ROOM)
    assert pending
    store.delivered(ROOM, [(item.id, f"$bot{item.id}", "welcome") for item in pending])
    assert await store.pending(ROOM) == []
    assert await store.message_for_ref(ROOM, "welcome") == f"$bot{pending[-1].id}"
    await store.commit_decision(room=ROOM, state=state, event_id="$next", effects=[], now=1.0)
    rows = await store._rows("SELECT count(*) FROM message_refs")
    assert rows[0][0] == len(pending)


async def test_delivery_marks_outlive_a_reopening(tmp_path):
    path = tmp_path / "atelier.db"
    store = await Store.open(path)
    await _atelier(store)
    pending = await store.pending(ROOM)
    store.delivered(ROOM, [(item.id, f"$bot{item.id}", "welcome") for item in pending])
    await store.close()
    store = await Store.open(path)
    await store.active_ateliers()
    assert await store.pending() == []
    assert await store.ref_for(ROOM, f"$bot{pending[0].id}") == "welcome"
    await store.close()


async def test_deadlines_are_kept_in_the_state_only(store):
    state = await _atelier(store)
    state = state.model_copy(update={"timers": {"step": 123.0}})
    timer = StartTimer(room=ROOM, name="step", at=123.0)
    await store.commit_decision(room=ROOM, state=state, event_id=None, effects=[timer], now=1.0)
    assert (await store.active_ateliers())[ROOM].timers == {"step": 123.0}
    assert not any(isinstance(item.effect, StartTimer) for item in await store.pending(ROOM))


async def test_small_values_are_kept(store):
    assert await store.get("since") is None
    await store.put("since", "s1")
    await store.put("since", "s2")
    assert await store.get("since") == "s2"


async def test_the_schema_is_at_the_latest_version(store):
    assert await store.schema_version() == len(MIGRATIONS)


async def test_a_database_of_the_first_schema_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    state = ENGINE.decide(None, _post("fac", "!atelier start", 1), time.time())[0]
    assert state is not None
    state = state.model_copy(update={"timers": {"step": 99.0}})
    with sqlite3.connect(path) as db:
        db.executescript(str(MIGRATIONS[0][0]))
        db.execute(
            "INSERT INTO ateliers VALUES (?, ?, ?, 1, 1.0)",
            (state.id, ROOM, state.model_dump_json()),
        )
        db.execute("INSERT INTO timers VALUES (?, 'step', 99.0)", (ROOM,))
        db.execute("PRAGMA user_version = 1")
    store = await Store.open(path)
    assert (await store.active_ateliers())[ROOM] == state
    await store.close()
    with sqlite3.connect(path) as db:
        assert stored_state(db, "active = 1", ())[0]["timers"] == {"step": 99.0}
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "timers" not in tables


async def test_a_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(NewerDatabaseError, match="newer than this atelier-bot"):
        await Store.open(path)
