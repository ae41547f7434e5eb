"""Mattermost: what is not someone's input stays out of the atelier (issue 12 §2) — a pin (the
real server sends it as ``post_edited``), an admin's edit of a bot post, posts of webhooks and
of other bots, and group messages, which are not atelier rooms."""

import asyncio

from mattermost_buttons_kit import ButtonPeople, serving_bot
from mattermost_kit import MattermostBot, MattermostPeople, at_rules, bot_config, rules_of
from mattermostdriver import Driver
from people_kit import heard, texts, until

from adapters.mattermost import driver_options
from bot.config import MattermostSection
from bot.events import MessageEdited, MessagePosted
from bot.inbound import ReactionIn
from bot.scenario import wait_for_ref


async def test_a_pin_and_an_admin_s_edit_of_a_bot_post_change_nobody_s_input(mattermost, tmp_path):
    """Bruno pins Alice's rule (``post_edited``, same text, ``edit_at`` 0): no edit reaches the
    atelier. Driss, a system admin, rewrites the bot's step message: nothing either."""
    names = ["alice", "bruno", "driss"]
    bot, people, room = await at_rules(mattermost, tmp_path, names, system_admins=["driss"])
    try:
        alices = await people.say("alice", "On parle en « je »")
        await until("alice's rule", lambda: _has(bot, room, ["On parle en « je »"]))
        driver = people.drivers["bruno"]
        await asyncio.to_thread(driver.posts.pin_post_to_channel, alices)
        step = next(h.event_id for h in people.heard if "Règles du jeu" in h.text and not h.to)
        await people.edit("driss", step, "!atelier règle Les admins décident")
        await people.say("bruno", "On écoute jusqu'au bout")  # handled after the pin and edit
        await until(
            "bruno's rule",
            lambda: _has(bot, room, ["On parle en « je »", "On écoute jusqu'au bout"]),
        )
    finally:
        await bot.stop()
    assert not [e for e in bot.inbound if isinstance(e, MessageEdited)]
    assert not any("modifi" in t for t in texts(people, "alice"))


async def _has(bot, room, rules: list[str]) -> bool:  # type: ignore[no-untyped-def]
    return await rules_of(bot, room) == rules


async def test_posts_of_webhooks_and_other_bots_are_not_anyone_s_input(mattermost, tmp_path):
    """A webhook posting as Alice (``props.from_webhook``) and a bot account (``is_bot``,
    ``props.from_bot``) write in the channel during the ground rules: neither is a rule, and
    a bot's ``!atelier`` command is not answered."""
    bot, people, room = await at_rules(mattermost, tmp_path, ["alice"])
    robot = mattermost.add_user("robot", "robot-pw", bot=True)
    mattermost.add_member(people.channel, robot["id"])
    try:
        await mattermost.webhook_post(people.user_id("alice"), people.channel, "Build #12 OK")
        await mattermost.post_as(robot["id"], people.channel, "!atelier rejoindre")
        await mattermost.post_as(robot["id"], people.channel, "Rappel : réunion à 16 h")
        await people.say("alice", "On parle en « je »")
        await until("alice's rule", lambda: _has(bot, room, ["On parle en « je »"]))
        state = await bot.state(room)
    finally:
        await bot.stop()
    assert state is not None and robot["id"] not in state.participants
    posted = [e.text for e in bot.inbound if isinstance(e, MessagePosted)]
    assert "Build #12 OK" not in posted and "Rappel : réunion à 16 h" not in posted
    assert not any("Bienvenue Robot" in t or "robot" in t.lower() for t in texts(people))


async def test_a_command_in_a_group_message_gets_a_kind_answer_and_opens_no_atelier(
    mattermost, tmp_path
):
    """Alice, Bruno and the bot in a group message: ``!atelier démarrer`` there opens nothing;
    the bot answers once, there, that ateliers happen in a channel; other words there are not
    answered."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["alice", "bruno"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="alice")
    group = mattermost.add_group([people.user_id("alice"), people.user_id("bruno"), people.bot_id])
    driver = people.drivers["alice"]
    try:
        await asyncio.to_thread(
            driver.posts.create_post, {"channel_id": group.id, "message": "Salut vous deux"}
        )
        await asyncio.to_thread(
            driver.posts.create_post, {"channel_id": group.id, "message": "!atelier démarrer"}
        )

        def answered() -> list[str]:
            return [
                p["message"]
                for p in mattermost.posts_by(people.bot_id)
                if p["channel_id"] == group.id
            ]

        await until("an answer in the group message", lambda: bool(answered()))
        assert await bot.state("mattermost:" + group.id) is None
    finally:
        await bot.stop()
    [answer] = answered()
    assert "canal" in answer
    assert not [e for e in bot.inbound if isinstance(e, MessagePosted)]


async def test_a_bot_account_s_raised_hand_on_the_welcome_registers_nobody(mattermost, tmp_path):
    """A bot account in the channel reacts ✋ to the welcome message: it does not join; Alice's
    ✋ right after registers her."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", "alice"], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    robot = mattermost.add_user("robot", "robot-pw", bot=True)
    mattermost.add_member(people.channel, robot["id"])
    settings = MattermostSection(url=mattermost.url, login_id="robot", password="robot-pw")
    driver = Driver(driver_options(settings))
    await asyncio.to_thread(driver.login)
    try:
        await people.say("camille", "!atelier démarrer")
        welcome = await wait_for_ref(bot.refs, room, "welcome")
        hand = {"user_id": robot["id"], "post_id": welcome, "emoji_name": "raised_hand"}
        await asyncio.to_thread(driver.reactions.create_reaction, hand)
        await people.react("alice", "welcome", "hand", remove=False)
        await heard(people, "Bienvenue Alice")
        state = await bot.state(room)
    finally:
        await bot.stop()
    assert state is not None and state.participants == [people.user_id("alice")]
    assert not [e for e in bot.inbound if isinstance(e, ReactionIn) and e.sender == robot["id"]]


async def test_atelier_typed_as_a_slash_command_in_a_group_message_opens_nothing(
    mattermost, tmp_path
):
    """`/atelier démarrer` in a group message of Alice, Bruno and the bot: no atelier there;
    Alice alone is told, privately, that ateliers happen in a channel."""
    bot, _ = await serving_bot(mattermost, tmp_path)
    people = ButtonPeople(mattermost, ["alice", "bruno"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="alice")
    group = mattermost.add_group([people.user_id("alice"), people.user_id("bruno"), people.bot_id])
    try:
        answer = await people.slash("alice", "démarrer", group.id)
    finally:
        await bot.stop()
    assert "canal" in str(answer.get("text")) and answer.get("response_type") == "ephemeral"
    assert await bot.state("mattermost:" + group.id) is None
    assert not [p for p in mattermost.posts.values() if p["channel_id"] == group.id]
