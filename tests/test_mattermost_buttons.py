"""Buttons on Mattermost: each does what its reaction or command does, once, for whom it may.

People click through the server (``POST /posts/{id}/actions/{action}``), which calls the bot's
endpoint with the real payload; the bot never waits for delivery before answering.
"""

import asyncio

import aiohttp
import pytest
from mattermost_buttons_kit import ButtonPeople, serving_bot
from mattermostdriver.exceptions import ResourceNotFound
from people_kit import heard, until

from adapters.mattermost_actions import ACTION_PATH
from bot.formats import StepKind

K = StepKind
CAST = ("camille", "alice", "bruno")


async def _started(mattermost, tmp_path):  # type: ignore[no-untyped-def]
    bot, integrations = await serving_bot(mattermost, tmp_path)
    people = ButtonPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    await people.slash("camille", "démarrer")
    await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
    return bot, integrations, people


def _step(bot, people) -> StepKind | None:  # type: ignore[no-untyped-def]
    state = bot.runtime.states.get(people.room)
    return state.kind if state is not None else None


async def test_join_button_registers_like_the_raised_hand_and_hides_its_secret(
    mattermost, tmp_path
):
    """A click on join makes a participant; clients never see the button's integration."""
    bot, integrations, people = await _started(mattermost, tmp_path)
    try:
        await people.click_ref("alice", "welcome", "join")
        await heard(people, "Alice")
        state = await people.state()
        assert state is not None and people.ids["alice"] in state.participants
        welcome = await bot.refs(people.room, "welcome")
        seen = await asyncio.to_thread(people.drivers["bruno"].posts.get_post, welcome)
        actions = seen["props"]["attachments"][0]["actions"]
        assert [a["id"] for a in actions] == ["join"]
        assert all("integration" not in a for a in actions)
        assert all(seconds < 3.0 for _, _, seconds in integrations.calls)
    finally:
        await bot.stop()


async def test_next_once_clicked_leaves_the_panel_and_a_second_click_counts_for_nothing(
    mattermost, tmp_path
):
    """The facilitator's next: one step; the panel loses its buttons (a later click is 404
    on the server); two clicks in flight at once: the second is answered, privately."""
    bot, integrations, people = await _started(mattermost, tmp_path)
    try:
        await until("the guide's buttons", lambda: bool(people.private_posts("camille", "next")))
        guide = people.private_posts("camille", "next")[0]
        context = guide["props"]["attachments"][0]["actions"][0]["integration"]["context"]
        await people.click("camille", guide["id"], "next")
        await until("the presentation", lambda: _step(bot, people) is K.PRESENTATION)
        await heard(people, "C'est fait", to="camille")
        assert mattermost.posts[guide["id"]]["props"]["attachments"] == []
        assert mattermost.posts[guide["id"]]["message"] == guide["message"]
        with pytest.raises(ResourceNotFound):
            await people.click("camille", guide["id"], "next")
        integrations.forgive_undocumented()
        # the same click reaching the bot again (two in flight before the update)
        click = {
            "user_id": people.ids["camille"],
            "channel_id": guide["channel_id"],
            "post_id": guide["id"],
            "trigger_id": "again",
            "context": context,
        }
        url = bot.config.mattermost.public_url + ACTION_PATH
        async with aiohttp.ClientSession() as session, session.post(url, json=click) as answer:
            assert "ne change rien" in (await answer.json())["ephemeral_text"]
        assert _step(bot, people) is K.PRESENTATION
    finally:
        await bot.stop()


async def test_a_click_after_the_step_moved_on_changes_nothing_and_says_so(mattermost, tmp_path):
    """The guide's +5 min, clicked once the welcome is over: the deadline stays."""
    bot, _, people = await _started(mattermost, tmp_path)
    try:
        await until("the guide's buttons", lambda: bool(people.private_posts("camille", "next")))
        guide = people.private_posts("camille", "next")[0]["id"]
        await people.slash_privately("camille", "suivant")
        await until("the presentation", lambda: _step(bot, people) is K.PRESENTATION)
        state = await people.state()
        assert state is not None
        deadline = state.timers["step"]
        await people.click("camille", guide, "extend5")
        await heard(people, "Ce bouton ne vaut plus", to="camille")
        state = await people.state()
        assert state is not None and state.timers["step"] == deadline
    finally:
        await bot.stop()


async def test_a_click_by_someone_it_is_not_for_changes_nothing_and_is_answered(
    mattermost, tmp_path
):
    """The facilitator clicking join stays facilitator, and is told kindly, privately."""
    bot, _, people = await _started(mattermost, tmp_path)
    try:
        await people.click_ref("camille", "welcome", "join")
        await heard(people, "Ce clic ne change rien", to="camille")
        state = await people.state()
        assert state is not None and state.participants == []
    finally:
        await bot.stop()


async def test_a_click_without_our_secret_is_refused(mattermost, tmp_path):
    """A forged click straight at the endpoint gets 401 and changes nothing."""
    bot, _, people = await _started(mattermost, tmp_path)
    try:
        url = bot.config.mattermost.public_url + ACTION_PATH
        forged = {
            "user_id": people.ids["alice"],
            "channel_id": people.channel,
            "post_id": await bot.refs(people.room, "welcome"),
            "context": {"secret": "guess", "action": "join", "reaction": "hand"},
        }
        async with aiohttp.ClientSession() as session, session.post(url, json=forged) as answer:
            assert answer.status == 401
        await bot.runtime.settled()
        state = await people.state()
        assert state is not None and state.participants == []
    finally:
        await bot.stop()
