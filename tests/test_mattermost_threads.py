"""Threads on the Mattermost test server: a post's ``root_id`` names its thread (openapi
``Post.root_id``); the bot answers in the thread a command was typed in, and runs a whole
atelier in one thread with ``démarrer --fil`` (issue 12 §3)."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from thread_kit import (
    a_command_in_a_side_thread_is_answered_there,
    an_atelier_started_with_fil_lives_in_its_thread,
)

CAST = ["camille", "alice", "elise"]


async def _play(mattermost, tmp_path, scenario) -> None:  # type: ignore[no-untyped-def]
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")

    async def thread_of(post_id: str) -> str | None:
        return mattermost.posts[post_id]["root_id"] or None

    try:
        await scenario(people, thread_of)
    finally:
        await bot.stop()
    assert not mattermost.violations


async def test_an_atelier_started_with_fil_lives_in_its_thread(mattermost, tmp_path):
    await _play(mattermost, tmp_path, an_atelier_started_with_fil_lives_in_its_thread)


async def test_a_command_in_a_side_thread_is_answered_in_that_thread(mattermost, tmp_path):
    await _play(mattermost, tmp_path, a_command_in_a_side_thread_is_answered_there)
