"""Record consent on a real Synapse: the record reaches the room only with everyone's yes.

The scenarios are ``record_kit``'s; here people are matrix-nio clients, leaving is a real
``leave`` of the room, and the room is read back from the homeserver's history.
"""

from collections.abc import Awaitable, Callable

from matrix_kit import setup
from record_kit import (
    CAST,
    FACILITATOR,
    a_no_stands_when_the_person_who_said_it_leaves,
    everyone_says_yes,
    someone_left_before_the_question,
)

from devkit.matrix_people import MatrixPeople


async def _play(synapse, tmp_path, scenario: Callable[[MatrixPeople], Awaitable[None]]) -> None:  # type: ignore[no-untyped-def]
    s = await setup(synapse, tmp_path, CAST)
    try:
        await s.people.open(facilitator=FACILITATOR)
        await scenario(s.people)
    finally:
        await s.close()


async def test_words_of_someone_who_left_before_the_question_never_reach_the_room(
    synapse, tmp_path
):
    await _play(synapse, tmp_path, someone_left_before_the_question)


async def test_a_no_stands_and_the_refuser_leaving_does_not_publish_the_record(synapse, tmp_path):
    await _play(synapse, tmp_path, a_no_stands_when_the_person_who_said_it_leaves)


async def test_with_everyone_s_yes_the_record_is_posted_in_the_room(synapse, tmp_path):
    await _play(synapse, tmp_path, everyone_says_yes)
