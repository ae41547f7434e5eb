"""Mattermost: what people do while the bot's websocket is down reaches the atelier, once each.

The server closes the bot's websocket and refuses new ones (``websocket_down``); people go on
voting by reaction, editing, deleting, writing to the bot; then websockets are accepted again
and the bot catches up through the REST API (``adapters.mattermost_catchup``). A websocket
opened after an outage replays nothing, as on the real server.
"""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import heard, texts, until

from bot.events import MessageEdited, MessagePosted
from bot.inbound import DirectIn, ReactionIn, ReactionOut
from bot.scenario import name as display_name
from bot.state import AtelierState


async def _start(mattermost, tmp_path, names, joining):  # type: ignore[no-untyped-def]
    """The bot, people, and an atelier at its problem search, Camille facilitating."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", *names], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    await people.say("camille", "!atelier démarrer")
    for person in joining:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    await people.dm("camille", "aller 4")
    await heard(people, "Étape 4/18 — Recherche de problématique")
    return bot, people, room


def _votes(state: AtelierState | None) -> set[tuple[str, int, int, str]]:
    assert state is not None
    return {(v.voter, v.number, v.weight, v.source) for v in state.current_votes}


async def test_votes_moved_added_and_taken_back_while_down_are_counted_in_order_once(
    mattermost, tmp_path
):
    names = ["alice", "bruno", "chloe"]
    bot, people, room = await _start(mattermost, tmp_path, names, joining=names)
    alice, bruno = people.user_id("alice"), people.user_id("bruno")
    try:
        for number, person in enumerate(("alice", "bruno", "chloe"), start=1):
            await people.dm(person, f"Problématique de {person}")
            await heard(people, f"notée (n° {number})", to=person)
        await people.dm("camille", "aller 6")
        await heard(people, "Étape 6/18")
        await people.react("alice", "card:1@0", "two", remove=False)
        await people.react("alice", "card:2@0", "one", remove=False)
        await until(
            "Alice's 3 votes", lambda: sum("Vote compté" in t for t in texts(people, "alice")) == 2
        )

        await bot.websocket_down(mattermost)
        await people.react("alice", "card:2@0", "one", remove=True)  # she moves this vote…
        await people.react("alice", "card:3@0", "one", remove=False)  # …here (3 votes again)
        await people.react("bruno", "card:3@0", "thumbsup", remove=False)  # on second thought…
        await people.react("bruno", "card:3@0", "thumbsup", remove=True)  # …never mind
        await people.react("bruno", "card:2@0", "one", remove=False)
        await bot.websocket_up(mattermost)

        expected = {(alice, 1, 2, "two"), (alice, 3, 1, "one"), (bruno, 2, 1, "one")}

        async def counted() -> bool:
            return _votes(await bot.state(room)) == expected

        await until("the votes made while down to be counted", counted)
    finally:
        await bot.stop()
    assert sum("Vote retiré sur la n° 2" in t for t in texts(people, "alice")) == 1
    assert sum("Vote compté" in t for t in texts(people, "alice")) == 3  # none refused
    assert not any("pas compté" in t for t in texts(people, "alice"))
    about_votes = [t for t in texts(people, "bruno") if "Vote" in t or "vote" in t]
    assert len(about_votes) == 1 and about_votes[0].startswith("Vote compté")  # not 👍
    reactions = [
        (type(e).__name__, e.sender, e.key)
        for e in bot.inbound
        if isinstance(e, ReactionIn | ReactionOut) and e.sender in (alice, bruno)
    ]
    assert reactions == [
        ("ReactionIn", alice, "two"),
        ("ReactionIn", alice, "one"),
        ("ReactionOut", alice, "one"),  # recovered: the removal before the move
        ("ReactionIn", alice, "one"),
        ("ReactionIn", bruno, "one"),
    ]


async def test_an_edit_made_while_down_is_taken_and_a_post_deleted_meanwhile_is_not(
    mattermost, tmp_path
):
    names = ["alice", "bruno"]
    bot, people, room = await _start(mattermost, tmp_path, names, joining=names)
    try:
        post = await people.say("alice", "!atelier problème Garder les bénévoles")
        await heard(people, "notée (n° 1)", to="alice")

        await bot.websocket_down(mattermost)
        hasty = await people.say("bruno", "!atelier problème Tout déléguer")
        await people.delete("bruno", hasty)  # written, then deleted, while the bot was away
        await people.edit("alice", post, "!atelier problème Garder les bénévoles après l'été")
        await bot.websocket_up(mattermost)

        async def edited() -> bool:
            state = await bot.state(room)
            return state is not None and state.problems[0].text.endswith("après l'été")

        await until("the edit made while down to be taken", edited)
        state = await bot.state(room)
    finally:
        await bot.stop()
    assert state is not None
    assert [(p.author, p.text) for p in state.problems] == [
        (people.user_id("alice"), "Garder les bénévoles après l'été")
    ]
    assert [e.text for e in bot.inbound if isinstance(e, MessageEdited)] == [
        "!atelier problème Garder les bénévoles après l'été"
    ]
    assert not any(isinstance(e, MessagePosted) and e.message_id == hasty for e in bot.inbound)
    assert not any("Tout déléguer" in t for t in texts(people, "bruno"))


async def test_a_direct_message_from_someone_the_bot_never_talked_to_written_while_down_is_taken(
    mattermost, tmp_path
):
    names = ["alice", "bruno", "driss"]
    bot, people, _ = await _start(mattermost, tmp_path, names, joining=["alice", "bruno"])
    try:
        assert people.direct_channel("driss") is None  # no conversation with the bot yet
        await bot.websocket_down(mattermost)
        await people.dm("driss", "Bonjour, je peux participer ?")
        await bot.websocket_up(mattermost)
        await heard(people, "Je ne vous vois dans aucun atelier en cours", to="driss")
    finally:
        await bot.stop()
    driss = people.user_id("driss")
    taken = [e for e in bot.inbound if isinstance(e, DirectIn) and e.sender == driss]
    assert [e.text for e in taken] == ["Bonjour, je peux participer ?"]
    assert len(texts(people, "driss")) == 1


async def test_more_than_a_thousand_posts_written_while_down_are_all_read_in_order_once_each(
    mattermost, tmp_path
):
    names = ["alice", "bruno"]
    bot, people, room = await _start(mattermost, tmp_path, names, joining=names)
    alice, bruno = people.user_id("alice"), people.user_id("bruno")
    try:
        await bot.websocket_down(mattermost)
        written = []
        for n in range(1150):  # the server answers at most 1,000 posts changed since a moment
            author, text = (alice, bruno)[n % 2], f"message {n}"
            if n == 3:
                author, text = alice, "!atelier problème Premier jet"
            elif n == 600:
                author, text = bruno, "!atelier problème Déléguer la comptabilité"
            elif n == 1140:
                author, text = alice, "!atelier problème Garder les bénévoles"
            written.append((await mattermost.post_as(author, people.channel, text))["id"])
        await bot.websocket_up(mattermost)

        def posted() -> list[str]:
            return [
                e.message_id
                for e in bot.inbound
                if isinstance(e, MessagePosted) and e.room == room and e.message_id in ids
            ]

        ids = set(written)
        await until("every post written while down to be read", lambda: ids <= set(posted()))
        state = await bot.state(room)
    finally:
        await bot.stop()
    assert posted() == written  # all of them, in the order written, each once
    assert state is not None
    assert [(p.author, p.text) for p in state.problems] == [
        (alice, "Garder les bénévoles"),  # her later problem replaced her first
        (bruno, "Déléguer la comptabilité"),
    ]
