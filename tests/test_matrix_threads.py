"""Threads on a real Synapse: a message's ``m.relates_to`` with ``rel_type: m.thread`` names
its thread (spec "Threading"); the bot answers in the thread a command was typed in, and runs
a whole atelier in one thread with ``démarrer --fil`` (issue 12 §3)."""

from matrix_kit import setup
from nio import RoomGetEventResponse
from thread_kit import (
    a_command_in_a_side_thread_is_answered_there,
    an_atelier_started_with_fil_lives_in_its_thread,
)

CAST = ["camille", "alice", "elise"]


async def _play(synapse, tmp_path, scenario) -> None:  # type: ignore[no-untyped-def]
    s = await setup(synapse, tmp_path, CAST)
    people = s.people
    await people.open(facilitator="camille")

    async def thread_of(event_id: str) -> str | None:
        answer = await people.clients["camille"].room_get_event(people.room, event_id)
        assert isinstance(answer, RoomGetEventResponse), answer
        relation = answer.event.source.get("content", {}).get("m.relates_to") or {}
        return relation.get("event_id") if relation.get("rel_type") == "m.thread" else None

    try:
        await scenario(people, thread_of)
    finally:
        await s.close()


async def test_an_atelier_started_with_fil_lives_in_its_thread(synapse, tmp_path):
    await _play(synapse, tmp_path, an_atelier_started_with_fil_lives_in_its_thread)


async def test_a_command_in_a_side_thread_is_answered_in_that_thread(synapse, tmp_path):
    await _play(synapse, tmp_path, a_command_in_a_side_thread_is_answered_there)
