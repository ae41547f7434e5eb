"""The runtime on a real SQLite file: persist before acting, outbox retries, dedupe, restarts."""

import time

import pytest
from runtime_kit import posted
from waiting import until

from bot.engine import Engine, EngineSettings
from bot.events import DirectMessage, MessagePosted
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, ReactionIn
from bot.runtime import Runtime
from bot.store import MIGRATIONS, Store
from bot.testing import FrozenClock, RecordingAdapter

ROOM = RoomId("!salon:test")


def _engine(seconds_per_minute: float = 60.0) -> Engine:
    return Engine(EngineSettings(seconds_per_minute=seconds_per_minute), load_formats())


def _post(user: str, text: str, n: int) -> MessagePosted:
    return posted(user, text, n)


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    yield store
    await store.close()


async def test_store_schema_is_versioned_and_uses_wal(store):
    assert await store.schema_version() == len(MIGRATIONS)
    async with store._db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"


async def test_input_is_stored_before_it_is_acknowledged(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await runtime.process(_post("fac", "!atelier start", 1))
    await runtime.process(_post("alice", "!atelier join", 2))
    adapter.down = True
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="next")
    )
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="next")
    )
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="next")
    )
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("alice"), sender_name="Alice", text="Mon souci")
    )
    state = runtime.states[ROOM]
    inputs = await store.inputs(state.id)
    assert {"kind": "problem", "author": "alice", "content": "Mon souci", "number": "1"} in inputs
    assert "problem.received" not in adapter.said_keys()  # no acknowledgement while down
    assert await store.pending(ROOM)
    adapter.down = False
    await until(
        "the acknowledgement once the server is back",
        lambda: "problem.received" in adapter.said_keys(),
    )
    await runtime.stop()


async def test_undelivered_effects_are_delivered_in_order_when_the_server_is_back(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    adapter.down = True
    await runtime.process(_post("fac", "!atelier start", 1))
    await runtime.process(_post("alice", "!atelier join", 2))
    await runtime.process(_post("bob", "!atelier join", 3))
    assert adapter.performed == []
    adapter.down = False
    await until("the six owed effects to be delivered", lambda: len(adapter.performed) >= 6)
    keys = adapter.said_keys()
    planned = keys.index("start.planned_only")
    assert keys.index("howto.welcome") < planned < keys.index("join.welcome")
    welcomes = [e.body for e in adapter.performed if getattr(e, "key", "") == "join.welcome"]
    assert "Alice" in welcomes[0] and "Bob" in welcomes[1]
    await runtime.stop()


async def test_same_platform_event_is_handled_once(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await runtime.process(_post("fac", "!atelier start", 1))
    await runtime.process(_post("alice", "!atelier join", 2))
    await runtime.process(_post("alice", "!atelier join", 2))  # replayed by the platform
    assert runtime.states[ROOM].participants == ["alice"]
    assert adapter.said_keys().count("join.welcome") == 1
    assert adapter.said_keys().count("refusal.already_joined") == 0
    await runtime.stop()


async def test_reaction_reaches_the_engine_through_the_message_reference(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await runtime.process(_post("fac", "!atelier start", 1))
    welcome_id = await store.message_for_ref(ROOM, "welcome")
    assert welcome_id is not None
    await runtime.receive(
        ReactionIn(
            room=ROOM,
            sender=UserId("zoe"),
            sender_name="Zoé",
            message_id=MessageId(welcome_id),
            key="hand",
        )
    )
    assert runtime.states[ROOM].participants == ["zoe"]
    await runtime.stop()


async def test_a_reaction_to_an_ended_ateliers_message_does_nothing_in_the_next_one(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    runtime = Runtime(_engine(), store, [RecordingAdapter()])
    await runtime.start()
    await runtime.process(_post("fac", "!atelier start", 1))
    old_welcome = await store.message_for_ref(ROOM, "welcome")
    assert old_welcome is not None
    await runtime.process(_post("fac", "!atelier terminer", 2))
    await runtime.process(_post("fac", "!atelier start", 3))
    hand = ReactionIn(
        room=ROOM,
        sender=UserId("zoe"),
        sender_name="Zoé",
        message_id=MessageId(old_welcome),
        key="hand",
    )
    await runtime.receive(hand)
    assert runtime.states[ROOM].participants == []
    await runtime.stop()
    await store.close()
    store = await Store.open(tmp_path / "atelier.db")  # nor after a restart
    assert await store.ref_for(ROOM, old_welcome) is None
    await store.close()


async def test_dm_goes_to_the_atelier_of_its_sender(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await runtime.process(_post("fac", "!atelier start", 1))
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="suivant")
    )
    assert runtime.states[ROOM].kind is StepKind.PRESENTATION
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("nobody"), sender_name="N", text="suivant")
    )
    replies = [e for e in adapter.performed if getattr(e, "user", None) == "nobody"]
    assert [e.key for e in replies] == ["command.no_atelier"]  # privately, not in a room
    await runtime.stop()


async def test_deadline_passed_while_stopped_fires_at_restart(tmp_path):
    path = tmp_path / "atelier.db"
    store = await Store.open(path)
    # An hour ago the atelier moved to the presentation (2 min), then the bot went down. The
    # engine takes the time as input: its decisions at that time are stored as the runtime
    # stores them (a started runtime would fire the past deadline at once, with no wait).
    then = FrozenClock(time.time() - 3600)
    state = None
    for event in (
        _post("fac", "!atelier start", 1),
        DirectMessage(room=ROOM, sender=UserId("fac"), sender_name="Fac", text="next"),
    ):
        state, effects = _engine().decide(state, event, then())
        event_id = getattr(event, "event_id", None)
        await store.commit_decision(
            room=ROOM, state=state, event_id=event_id, effects=effects, now=then()
        )
        then.advance(1)
    await store.close()

    store = await Store.open(path)
    stored = (await store.active_ateliers())[ROOM]
    assert stored.kind is StepKind.PRESENTATION
    assert stored.timers["step"] < time.time()  # fell due while the bot was down
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await until(
        "the missed step deadline to fire at start-up",
        lambda: "step.time_up" in adapter.said_keys(),
        limit=20,
    )
    after = runtime.states[ROOM]
    assert after.kind is not StepKind.PRESENTATION
    assert after.timers["step"] > time.time()  # the next step has its time from now: no cascade
    assert adapter.said_keys().count("step.time_up") == 1
    await runtime.stop()
    await store.close()


async def test_two_ateliers_in_two_rooms_do_not_interfere(store):
    adapter = RecordingAdapter()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    other = RoomId("!autre:test")
    await runtime.process(_post("fac", "!atelier start", 1))
    await runtime.process(
        MessagePosted(
            room=other,
            sender=UserId("gus"),
            sender_name="Gus",
            text="!atelier start",
            message_id=MessageId("$x"),
            event_id=EventId("$x"),
        )
    )
    await runtime.process(_post("alice", "!atelier join", 2))
    await runtime.receive(
        DirectIn(platform="test", sender=UserId("gus"), sender_name="Gus", text="next")
    )
    assert runtime.states[ROOM].participants == ["alice"]
    assert runtime.states[ROOM].kind is StepKind.WELCOME
    assert runtime.states[other].participants == []
    assert runtime.states[other].kind is StepKind.PRESENTATION
    await runtime.stop()


async def test_someone_in_two_ateliers_is_asked_which_by_room_name_then_routed_by_it(store):
    adapter = RecordingAdapter()
    adapter.names = {"!lyon:test": "Atelier Lyon", "!nantes:test": "Atelier Nantes"}
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    for n, room in enumerate(("!lyon:test", "!nantes:test")):
        for m, (user, text) in enumerate((("fac", "!atelier start"), ("alice", "!atelier join"))):
            await runtime.process(
                MessagePosted(
                    room=RoomId(room),
                    sender=UserId(user),
                    sender_name=user.title(),
                    text=text,
                    message_id=MessageId(f"$r{n}{m}"),
                    event_id=EventId(f"$r{n}{m}"),
                )
            )
    ask = DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="next")
    await runtime.receive(ask)
    which = [e for e in adapter.performed if getattr(e, "key", "") == "dm.which_room"]
    assert which and "« Atelier Lyon », « Atelier Nantes »" in which[0].body
    assert runtime.states[RoomId("!nantes:test")].step_index == 0

    await runtime.receive(
        DirectIn(platform="test", sender=UserId("fac"), sender_name="Fac", text="next dans nantes")
    )
    assert runtime.states[RoomId("!nantes:test")].step_index == 1
    assert runtime.states[RoomId("!lyon:test")].step_index == 0
    await runtime.stop()


class _NeedsConnection(RecordingAdapter):
    """Like a real platform adapter: nothing can be sent before ``connect`` (no client yet)."""

    async def perform(self, effect, *, idempotency_key=None):  # type: ignore[no-untyped-def]
        assert self.sink is not None, "performed before connect"
        return await super().perform(effect, idempotency_key=idempotency_key)


async def test_effects_owed_at_a_stop_are_sent_after_the_restarted_adapter_connects(tmp_path):
    path = tmp_path / "atelier.db"
    store = await Store.open(path)
    # decided and stored, then the bot is killed before it delivers anything
    now = time.time()
    state, effects = _engine().decide(None, _post("fac", "!atelier start", 1), now)
    await store.commit_decision(room=ROOM, state=state, event_id="$e1", effects=effects, now=now)
    await store.close()

    store = await Store.open(path)
    adapter = _NeedsConnection()
    runtime = Runtime(_engine(), store, [adapter])
    await runtime.start()
    await until("the owed welcome to be sent", lambda: "howto.welcome" in adapter.said_keys())
    await runtime.stop()
    await store.close()
