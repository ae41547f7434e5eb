"""Cycles on Mattermost, through the real mattermostdriver (issue 16 §3): two sessions in one
channel. In the first, Bruno carries his problem not chosen; in the second, only he is shown
it, his 'oui' puts it to the group, and on equal votes it goes first because Alice has
already offered a situation in this channel."""

from cycles_people_kit import BRUNO_PROBLEM, two_sessions
from mattermost_kit import MattermostBot, MattermostPeople, bot_config


async def test_a_carried_problem_and_the_newcomer_rule_across_two_sessions(mattermost, tmp_path):
    """Session 1: Alice offers, Bruno carries his problem. Session 2: Bruno alone is asked,
    confirms, and his problem wins the tie at zero votes against Alice's."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60.0)).start()
    people = MattermostPeople(
        mattermost, ("camille", "alice", "bruno"), refs=bot.refs, state=bot.state
    )
    try:
        room = await people.open(facilitator="camille")
        await two_sessions(people, lambda: _kind(bot, room))
        state = bot.runtime.states[room]
    finally:
        await bot.stop()
    chosen = state.problem(1)
    assert state.chosen == 1 and chosen is not None and chosen.text == BRUNO_PROBLEM


def _kind(bot: MattermostBot, room: str) -> object:
    state = bot.runtime.states.get(room)
    return state.kind if state is not None else None
