"""Planned sessions on the Mattermost test server (issue 16 §1): an invitation, people who
say they come (a ✋ reaction, « je viens »), the day-before reminder, and the atelier opening
with them — days passing on the bot's test clock; a date poll; a move and a cancel."""

import time

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from plan_kit import (
    a_check_in_answer_reaches_the_facilitator_and_seeds_the_problem_search,
    a_date_poll_then_the_session_is_planned_moved_and_cancelled,
    invitation_then_people_come_then_reminder_then_the_atelier_opens,
)

from bot.testing import FrozenClock

CAST = ["camille", "alice", "elise"]


async def _play(mattermost, tmp_path, scenario) -> None:  # type: ignore[no-untyped-def]
    """The bot on a test clock at today's time, the cast in a channel, then ``scenario``."""
    bot = MattermostBot(bot_config(mattermost, tmp_path, spm=60))
    bot.clock = FrozenClock(time.time())
    await bot.start()
    people = MattermostPeople(mattermost, CAST, refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    try:
        await scenario(people, bot)
    finally:
        await bot.stop()
    assert not mattermost.violations


async def test_an_invitation_gathers_people_reminds_them_and_opens_the_atelier(
    mattermost, tmp_path
):
    """Planned, announced, reminded, opened with those who said they would come."""
    await _play(
        mattermost, tmp_path, invitation_then_people_come_then_reminder_then_the_atelier_opens
    )


async def test_a_check_in_answer_reaches_the_facilitator_and_seeds_the_problem_search(
    mattermost, tmp_path
):
    """Asked privately the day before; the answer goes to the facilitator only, then is
    confirmed as a problem at the problem search."""
    await _play(
        mattermost, tmp_path, a_check_in_answer_reaches_the_facilitator_and_seeds_the_problem_search
    )


async def test_a_date_poll_then_the_session_is_planned_moved_and_cancelled(mattermost, tmp_path):
    """A poll finds the date; the session planned from it is moved, then cancelled, and those
    coming are told privately each time."""
    await _play(mattermost, tmp_path, a_date_poll_then_the_session_is_planned_moved_and_cancelled)
