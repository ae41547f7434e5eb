"""Exported records on Mattermost (issue 16 §4): when the group shares the record, the bot
uploads a Markdown file and an HTML page to the channel and posts them (``file_ids``), through
the real mattermostdriver, on a test server serving the files API as the real one does
(``tests/mattermost_server_files.py``)."""

import asyncio
import dataclasses
import io

import pytest
from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermost_server import MattermostServer
from mattermost_server_files import serve_files
from mattermostdriver.exceptions import (
    ContentTooLarge,
    InvalidOrMissingParameters,
    NotEnoughPermissions,
)
from people_kit import heard, until

from bot.effects import PostFile
from bot.ids import RoomId, UserId
from bot.ports import DeliveryError
from bot.scenario import FACILITATOR, PARTICIPANTS, Cast, full_atelier


@pytest.fixture
async def served():  # type: ignore[no-untyped-def]
    """A fresh test server with the files API; any request or answer off the API fails."""
    server = MattermostServer()
    files = serve_files(server)
    await server.start()
    try:
        yield server, files
    finally:
        await server.stop()
    assert server.violations == [], "\n".join(server.violations[:20])


async def _shared_atelier(server: MattermostServer, tmp_path) -> tuple[MattermostPeople, list[str]]:  # type: ignore[no-untyped-def]
    bot = await MattermostBot(bot_config(server, tmp_path, spm=2.0)).start()
    people = MattermostPeople(server, (FACILITATOR, *PARTICIPANTS), refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator=FACILITATOR)
        await full_atelier(Cast(people, out=io.StringIO(), pace=0.02))
        await heard(people, "L'atelier est terminé")
        assert bot.store is not None
        store = bot.store

        async def delivered() -> bool:  # what follows the last words may still be on its way
            return await store.pending() == []

        await until("the outbox delivered", delivered)
        pending = [type(i.effect).__name__ for i in await store.pending()]
    finally:
        await bot.stop()
    return people, pending


async def test_a_shared_record_is_posted_in_the_channel_as_two_files(served, tmp_path):
    """Both files are uploaded to the atelier's channel and attached to the bot's post; their
    contents are the record, people's words escaped in the page."""
    server, files = served
    people, pending = await _shared_atelier(server, tmp_path)
    assert pending == []
    infos = sorted(files.infos.values(), key=lambda info: str(info["name"]))
    assert [info["extension"] for info in infos] == ["html", "md"]
    assert all(files.channel_of[info["id"]] == people.channel for info in infos)
    posts = {info["post_id"] for info in infos}
    assert len(posts) == 2 and all(server.posts[p]["file_ids"] for p in posts)
    page = files.data[infos[0]["id"]].decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    markdown = files.data[infos[1]["id"]].decode()
    assert markdown.startswith("# ") and infos[1]["size"] == len(markdown.encode())
    fetched = await asyncio.to_thread(
        people.drivers[PARTICIPANTS[0]].files.get_file, str(infos[1]["id"])
    )
    assert fetched.content.decode() == markdown  # a member downloads what the bot posted


async def test_a_file_over_the_server_limit_is_refused_for_good_without_upload(served, tmp_path):
    """With MaxFileSize smaller than the file, the adapter uploads nothing and the refusal is
    for good (the outbox will not retry it); a file within it, sent privately, reaches the
    person's direct channel."""
    server, files = served
    bot = await MattermostBot(bot_config(server, tmp_path, spm=2.0)).start()
    people = MattermostPeople(server, ("alice",), refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="alice")
        files.max_file_size = 2_000
        big = PostFile(
            room=RoomId(people.room),
            key="archive.files",
            filename="trace-1.md",
            mime="text/markdown",
            text="é" * 1_500,
        )
        with pytest.raises(DeliveryError) as refused:
            await bot.adapter.perform(big, idempotency_key="atelier-1")
        assert refused.value.permanent and files.uploads == 0
        small = dataclasses.replace(big, text="# Trace 🌱", user=UserId(people.user_id("alice")))
        await bot.adapter.perform(small, idempotency_key="atelier-2")
        (info,) = files.infos.values()
        assert files.channel_of[info["id"]] != people.channel and info["post_id"]
        assert files.data[info["id"]] == "# Trace 🌱".encode()
    finally:
        await bot.stop()


async def test_the_files_api_refuses_as_the_real_server_does(served, tmp_path):
    """Too large: 413; no channel: 400; a channel one is not in: 403; answered shapes follow
    the API description (the fixture checks every answer)."""
    server, files = served
    people = MattermostPeople(server, ("alice", "bob"), refs=_none, state=_none)
    bot_config(server, tmp_path, spm=2.0)  # the bot's account, a member of the channel
    await people.open(facilitator="alice")
    files.max_file_size = 1_000  # the whole request counts
    upload = people.drivers["alice"].files.upload_file
    with pytest.raises(ContentTooLarge):
        await asyncio.to_thread(
            upload, people.channel, {"files": ("a.md", b"x" * 2_000, "text/plain")}
        )
    with pytest.raises(InvalidOrMissingParameters):
        await asyncio.to_thread(upload, "", {"files": ("a.md", b"x", "text/plain")})
    other = server.add_channel("ailleurs", [people.user_id("bob")])
    with pytest.raises(NotEnoughPermissions):
        await asyncio.to_thread(upload, other, {"files": ("a.md", b"x", "text/plain")})
    answer = await asyncio.to_thread(
        upload, people.channel, {"files": ("é 🌱.md", b"ok", "text/markdown")}
    )
    assert answer["file_infos"][0]["name"] == "é 🌱.md" and answer["file_infos"][0]["size"] == 2


async def _none(*args: object) -> None:
    return None
