"""Mattermost: a catch-up that meets a rate limit or a server restarting still recovers what
was missed (issue 12 §2). Votes are reactions: a catch-up that gave up on its first 429 or 502
lost them for good, since the next live post in the channel moved the point it reads from."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermost_server import RateLimit
from people_kit import heard, texts, until

from bot.scenario import name as display_name
from bot.state import AtelierState


async def _at_choice(mattermost, tmp_path):  # type: ignore[no-untyped-def]
    """The bot, three people with a problem each, and the atelier at its choice step."""
    names = ["alice", "bruno", "chloe"]
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", *names], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    await people.say("camille", "!atelier démarrer")
    for person in names:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    await people.dm("camille", "aller 4")
    await heard(people, "Étape 4/18")
    for number, person in enumerate(names, start=1):
        await people.dm(person, f"Problématique de {person}")
        await heard(people, f"notée (n° {number})", to=person)
    await people.dm("camille", "aller 6")
    await heard(people, "Étape 6/18")
    return bot, people, room


def _votes(state: AtelierState | None) -> set[tuple[str, int, int]]:
    assert state is not None
    return {(v.voter, v.number, v.weight) for v in state.current_votes}


async def _vote_while_down(bot, people, mattermost, trouble) -> None:  # type: ignore[no-untyped-def]
    """Alice and Bruno vote while the websocket is down; ``trouble`` happens as it comes back;
    then Chloé writes in the channel (a live post)."""
    await bot.websocket_down(mattermost)
    await people.react("alice", "card:2@0", "two", remove=False)
    await people.react("bruno", "card:3@0", "one", remove=False)
    trouble()
    await bot.websocket_up(mattermost)
    await people.say("chloe", "Je réfléchis encore")


async def test_votes_made_while_down_are_counted_though_the_catch_up_meets_429s(
    mattermost, tmp_path
):
    bot, people, room = await _at_choice(mattermost, tmp_path)
    alice, bruno = people.user_id("alice"), people.user_id("bruno")
    limit = RateLimit(per_second=2, burst=0)
    try:

        def throttle() -> None:
            mattermost.rate_limits[people.bot_id] = limit

        await _vote_while_down(bot, people, mattermost, throttle)

        async def counted() -> bool:
            return _votes(await bot.state(room)) == {(alice, 2, 2), (bruno, 3, 1)}

        await until("the votes made while down to be counted", counted)
        await heard(people, "Vote compté", to="alice")
    finally:
        await bot.stop()
    assert limit.refused > 0
    assert sum("Vote compté" in t for t in texts(people, "alice")) == 1


async def test_votes_made_while_down_are_counted_though_the_server_restarts_meanwhile(
    mattermost, tmp_path
):
    bot, people, room = await _at_choice(mattermost, tmp_path)
    alice, bruno = people.user_id("alice"), people.user_id("bruno")
    try:

        def restarting() -> None:
            mattermost.bad_gateway[people.bot_id] = 4

        await _vote_while_down(bot, people, mattermost, restarting)

        async def counted() -> bool:
            return _votes(await bot.state(room)) == {(alice, 2, 2), (bruno, 3, 1)}

        await until("the votes made while down to be counted", counted)
        await heard(people, "Vote compté", to="bruno")
    finally:
        await bot.stop()
    assert mattermost.bad_gateway[people.bot_id] == 0
    assert sum("Vote compté" in t for t in texts(people, "bruno")) == 1


async def test_a_channel_the_catch_up_could_not_read_is_read_from_the_same_point_next_time(
    mattermost, tmp_path, monkeypatch
):
    """The server fails the catch-up's reads of the channel (one try each here): the bot
    gives up for now. Chloé then writes there live, which used to move the point the channel
    is read from past the votes; at the next reconnection they are counted all the same."""
    monkeypatch.setattr("adapters.mattermost_catchup.READ_TRIES", 1)
    bot, people, room = await _at_choice(mattermost, tmp_path)
    alice, bruno = people.user_id("alice"), people.user_id("bruno")
    try:

        def failing() -> None:  # the list of channels, then the channel itself (heard first)
            mattermost.bad_gateway[people.bot_id] = 2

        await _vote_while_down(bot, people, mattermost, failing)
        await until("chloé's post handled", lambda: _said_by_chloe(bot))
        assert _votes(await bot.state(room)) == set()
        await bot.websocket_down(mattermost)
        await bot.websocket_up(mattermost)

        async def counted() -> bool:
            return _votes(await bot.state(room)) == {(alice, 2, 2), (bruno, 3, 1)}

        await until("the votes to be counted at the next reconnection", counted)
    finally:
        await bot.stop()


def _said_by_chloe(bot) -> bool:  # type: ignore[no-untyped-def]
    return any(getattr(e, "text", "") == "Je réfléchis encore" for e in bot.inbound)


async def test_a_newcomer_is_welcomed_by_name_though_the_bot_is_rate_limited(mattermost, tmp_path):
    """The bot has used up its rate limit when Alice joins: asking who she is meets 429; the
    bot waits as told and welcomes her by her name, not by her account's id."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", "alice"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    try:
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Bienvenue")
        limit = mattermost.rate_limits[people.bot_id] = RateLimit(per_second=1, burst=0)
        limit.take(people.bot_id)  # the bot's one request of this second is spent
        await people.say("alice", "!atelier rejoindre")
        await heard(people, "Bienvenue Alice")
    finally:
        await bot.stop()
    assert limit.refused > 0
    assert not any(people.user_id("alice") in t for t in texts(people))
