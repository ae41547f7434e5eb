"""Mattermost: a deleted post withdraws the input it gave when its author or an admin deleted
it, whether the bot's websocket was up or down; someone who left while it was down is known
to have left (issue 12 §2, issue 15 §2)."""

import pytest
from mattermost_kit import MattermostBot, MattermostPeople, at_rules, bot_config, rules_of
from mattermostdriver.exceptions import NotEnoughPermissions
from people_kit import heard, until

from bot.events import MemberLeft, MessageRemoved
from bot.scenario import name as display_name


async def test_a_rule_deleted_by_its_author_or_a_system_admin_leaves_the_atelier(
    mattermost, tmp_path
):
    """Alice deletes her rule: gone. Driss, a system admin, deletes Bruno's: gone. Bruno may
    not delete Chloé's (403, as the real server answers a member without
    ``delete_others_posts``): it stays. The bot, no admin, is not told who deleted a post in
    ``post_deleted``: it reads ``props.deleteBy``."""
    names = ["alice", "bruno", "chloe", "driss"]
    bot, people, room = await at_rules(mattermost, tmp_path, names, system_admins=["driss"])
    try:
        alices = await people.say("alice", "On parle en « je »")
        brunos = await people.say("bruno", "On se tutoie")
        chloes = await people.say("chloe", "On coupe les téléphones")
        await until("three rules", lambda: _count(bot, room, 3))

        with pytest.raises(NotEnoughPermissions):
            await people.delete("bruno", chloes)
        await people.delete("alice", alices)
        await until("alice's rule withdrawn", lambda: _count(bot, room, 2))
        await people.delete("driss", brunos)
        await until("bruno's rule withdrawn", lambda: _count(bot, room, 1))
        assert await rules_of(bot, room) == ["On coupe les téléphones"]
    finally:
        await bot.stop()
    removed = [
        (e.sender, e.original_id, e.moderator) for e in bot.inbound if isinstance(e, MessageRemoved)
    ]
    assert removed == [
        (people.user_id("alice"), alices, False),
        (people.user_id("driss"), brunos, True),
    ]
    assert not mattermost.violations


async def _count(bot, room, n) -> bool:  # type: ignore[no-untyped-def]
    return len(await rules_of(bot, room)) == n


async def test_a_rule_its_author_deleted_while_the_bot_was_away_is_withdrawn_at_reconnection(
    mattermost, tmp_path
):
    bot, people, room = await at_rules(mattermost, tmp_path, ["alice", "bruno"])
    try:
        alices = await people.say("alice", "On parle en « je »")
        await people.say("bruno", "On se tutoie")
        await until("two rules", lambda: _count(bot, room, 2))
        await bot.websocket_down(mattermost)
        await people.delete("alice", alices)
        await bot.websocket_up(mattermost)
        await until("alice's rule withdrawn", lambda: _count(bot, room, 1))
        assert await rules_of(bot, room) == ["On se tutoie"]
    finally:
        await bot.stop()
    assert not mattermost.violations


async def test_someone_who_left_while_the_bot_was_away_is_no_longer_counted(mattermost, tmp_path):
    """Alice leaves the channel and Bruno is removed while the bot's websocket is down (their
    ``user_removed`` events are lost to it): at reconnection, the system posts that say so
    tell the atelier, which no longer counts them."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    names = ["alice", "bruno", "chloe"]
    people = MattermostPeople(mattermost, ["camille", *names], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    try:
        await people.say("camille", "!atelier démarrer")
        for person in names:
            await people.say(person, "!atelier rejoindre")
            await heard(people, f"Bienvenue {display_name(person)}")
        await bot.websocket_down(mattermost)
        await people.leave("alice")
        await mattermost.remove_member(
            people.channel, people.user_id("bruno"), people.user_id("camille")
        )
        await bot.websocket_up(mattermost)

        async def only_chloe() -> bool:
            state = await bot.state(room)
            return state is not None and state.participants == [people.user_id("chloe")]

        await until("alice and bruno no longer counted", only_chloe)
    finally:
        await bot.stop()
    left = [e.sender for e in bot.inbound if isinstance(e, MemberLeft)]
    assert left == [people.user_id("alice"), people.user_id("bruno")]
    assert not mattermost.violations


async def test_a_rule_a_team_admin_deleted_leaves_the_atelier(mattermost, tmp_path):
    """On a default server a channel admin may not delete others' posts, a team admin may
    (model/role.go ``delete_others_posts``): Élise, team admin, deletes Bruno's rule: gone,
    and she is counted a moderator."""
    names = ["alice", "bruno", "elise"]
    bot, people, room = await at_rules(mattermost, tmp_path, names, team_admins=["elise"])
    try:
        brunos = await people.say("bruno", "On se tutoie")
        await people.say("alice", "On parle en « je »")
        await until("two rules", lambda: _count(bot, room, 2))
        await people.delete("elise", brunos)
        await until("bruno's rule withdrawn", lambda: _count(bot, room, 1))
    finally:
        await bot.stop()
    removed = [(e.sender, e.moderator) for e in bot.inbound if isinstance(e, MessageRemoved)]
    assert removed == [(people.user_id("elise"), True)]
