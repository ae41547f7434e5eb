"""Private messages reach the right atelier, whole: a trailing "dans …" names a room only when
the person is in several ateliers and it names one of theirs."""

import pytest

from bot.engine import Engine, EngineSettings
from bot.events import MessagePosted
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import RecordingAdapter

ROOM = RoomId("!salon:test")


@pytest.fixture
async def runtime(tmp_path):
    store = await Store.open(tmp_path / "atelier.db")
    adapter = RecordingAdapter()
    adapter.names = {ROOM: "Salon"}
    runtime = Runtime(Engine(EngineSettings(), load_formats()), store, [adapter])
    await runtime.start()
    yield runtime
    await runtime.stop()
    await store.close()


async def _post(runtime: Runtime, room: RoomId, user: str, text: str) -> None:
    n = len(runtime.states) * 100 + sum(len(s.participants) for s in runtime.states.values())
    await runtime.process(
        MessagePosted(
            room=room,
            sender=UserId(user),
            sender_name=user.title(),
            text=text,
            message_id=MessageId(f"$m{room}{user}{n}{text}"),
            event_id=EventId(f"$e{room}{user}{n}{text}"),
        )
    )


async def _dm(runtime: Runtime, user: str, text: str) -> None:
    await runtime.receive(
        DirectIn(platform="test", sender=UserId(user), sender_name=user.title(), text=text)
    )


async def _at_problem_search(runtime: Runtime, room: RoomId) -> None:
    await _post(runtime, room, "fac", "!atelier start")
    await _post(runtime, room, "alice", "!atelier join")
    while runtime.states[room].kind is not StepKind.PROBLEM_SEARCH:
        await _dm(
            runtime, "fac", "next" + (" dans " + room[1:4] if len(runtime.states) > 1 else "")
        )


async def test_a_problem_ending_in_dans_something_is_kept_whole(runtime):
    await _at_problem_search(runtime, ROOM)
    text = "Je n'arrive plus à recruter des bénévoles dans l'association"
    await _dm(runtime, "alice", text)
    assert [p.text for p in runtime.states[ROOM].problems] == [text]


async def test_dans_the_room_name_is_kept_when_the_person_has_one_atelier(runtime):
    await _at_problem_search(runtime, ROOM)
    text = "Je ne trouve plus ma place dans Salon"
    await _dm(runtime, "alice", text)
    assert [p.text for p in runtime.states[ROOM].problems] == [text]


async def test_in_two_ateliers_dans_a_room_name_sends_the_text_there(runtime):
    other = RoomId("!autre:test")
    runtime.adapters[0].names[other] = "Autre"  # type: ignore[attr-defined]
    await _at_problem_search(runtime, ROOM)
    await _at_problem_search(runtime, other)
    await _dm(runtime, "alice", "Mon souci dans salon")
    assert [p.text for p in runtime.states[ROOM].problems] == ["Mon souci"]
    assert not runtime.states[other].problems
