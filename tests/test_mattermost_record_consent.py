"""Record consent in a Mattermost channel: the record reaches it only with everyone's yes.

The scenarios are ``record_kit``'s; here people act through the real mattermostdriver, leaving
is ``DELETE /channels/{id}/members/{user_id}``, and the channel is read back from the server.
"""

from collections.abc import Awaitable, Callable

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from record_kit import (
    CAST,
    FACILITATOR,
    a_no_stands_when_the_person_who_said_it_leaves,
    everyone_says_yes,
    someone_left_before_the_question,
)


async def _play(
    mattermost, tmp_path, scenario: Callable[[MattermostPeople], Awaitable[None]]
) -> None:  # type: ignore[no-untyped-def]
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    try:
        people = MattermostPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
        await people.open(facilitator=FACILITATOR)
        await scenario(people)
    finally:
        await bot.stop()


async def test_words_of_someone_who_left_before_the_question_never_reach_the_channel(
    mattermost, tmp_path
):
    await _play(mattermost, tmp_path, someone_left_before_the_question)


async def test_a_no_stands_and_the_refuser_leaving_does_not_publish_the_record(
    mattermost, tmp_path
):
    await _play(mattermost, tmp_path, a_no_stands_when_the_person_who_said_it_leaves)


async def test_with_everyone_s_yes_the_record_is_posted_in_the_channel(mattermost, tmp_path):
    await _play(mattermost, tmp_path, everyone_says_yes)
