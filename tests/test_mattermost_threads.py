"""Threads on the Mattermost test server: a post's ``root_id`` names its thread (openapi
``Post.root_id``); the bot answers in the thread a command was typed in, and runs a whole
atelier in one thread with ``démarrer --fil`` (issue 12 §3)."""

import asyncio

import pytest
from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermostdriver.exceptions import InvalidOrMissingParameters
from people_kit import heard
from thread_kit import (
    a_command_in_a_side_thread_is_answered_there,
    an_atelier_started_with_fil_lives_in_its_thread,
)

from bot.scenario import name as display_name

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


async def test_the_server_refuses_a_reply_to_a_reply_a_deleted_root_or_another_channel_s(
    mattermost, tmp_path
):
    """app/post.go ``CreatePost``: a reply's ``root_id`` must name a live root post of the
    same channel (400 otherwise)."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="camille")
        root = await people.say("alice", "Une question")
        reply = await people.say("elise", "Une réponse", thread=root)
        elsewhere = mattermost.add_channel("ailleurs", [people.ids["alice"]])
        other = await asyncio.to_thread(
            people.drivers["alice"].posts.create_post,
            {"channel_id": elsewhere, "message": "ailleurs"},
        )
        await people.delete("alice", root)
        for bad in (reply, root, str(other["id"])):
            with pytest.raises(InvalidOrMissingParameters):
                await people.say("elise", "Et encore", thread=bad)
    finally:
        await bot.stop()


async def test_an_atelier_whose_thread_was_deleted_goes_on_in_the_channel(mattermost, tmp_path):
    """The facilitator deletes the post that started the thread: the server refuses replies to
    it, so the bot's next messages come in the channel itself instead of falling silent."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="camille")
        root = await people.say("camille", "!atelier démarrer --fil")
        await heard(people, "Accueil")
        await people.delete("camille", root)
        await people.say("alice", "!atelier rejoindre")
        welcome = await heard(people, f"Bienvenue {display_name('alice')}")
        post = next(p for p in mattermost.posts_by(people.bot_id) if p["message"] == welcome)
        assert post["root_id"] == "" and post["channel_id"] == people.channel
        assert await bot.store.pending(people.room) == []
    finally:
        await bot.stop()
