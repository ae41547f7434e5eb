"""Nothing lost on a real Synapse: a burst, a restart, an outage — every input handled once, in
order.

A sync hands the bot a limited number of events per room; what does not fit comes back as a
``limited`` timeline whose gap the bot must fetch. The bot reaches Synapse through a TCP relay
(``tcp_proxy``) that can hold its traffic (a burst then reaches it in one sync) or cut it (an
outage the people do not share).
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from matrix_kit import Homeserver, InProcessBot, Setup, bot_config, heard, people_for, until
from nio import MessageDirection, RoomMessagesResponse, RoomMessageText
from tcp_proxy import TcpProxy

from bot.reactions import KEY_TO_EMOJI
from bot.scenario import name as display_name
from bot.scenario import wait_for_ref
from devkit.matrix_people import MatrixPeople


@asynccontextmanager
async def bot_behind_relay(
    synapse: Homeserver, folder: Path, names: list[str]
) -> AsyncIterator[tuple[Setup, TcpProxy]]:
    """A bot whose connection to Synapse goes through a relay; its people connect directly."""
    parts = urlsplit(synapse.url)
    proxy = await TcpProxy(parts.hostname or "127.0.0.1", parts.port or 80).start()
    account = synapse.account("atelier")
    config = bot_config(synapse, account, folder, 60)
    assert config.matrix is not None
    config = config.model_copy(
        update={"matrix": config.matrix.model_copy(update={"homeserver": proxy.url})}
    )
    bot = await InProcessBot(config).start()
    people = people_for(
        synapse, account.user_id, synapse.accounts(names), folder / "people", bot.refs, bot.state
    )
    s = Setup(account, config, bot, people)
    try:
        yield s, proxy
    finally:
        await s.close()
        await proxy.stop()


async def at_ground_rules(people: MatrixPeople, joiners: list[str]) -> str:
    room = await people.open(facilitator="camille")
    await people.say("camille", "!atelier démarrer")
    for person in joiners:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    await people.dm("camille", "aller 3")
    await heard(people, "Étape 3/18 — Règles du jeu")
    return room


async def server_order(people: MatrixPeople, prefix: str) -> list[str]:
    """The texts starting with ``prefix`` in the room, in the homeserver's own order."""
    client = people.clients["camille"]
    bodies: list[str] = []
    token = ""
    while True:
        page = await client.room_messages(
            people.room, start=token, direction=MessageDirection.back, limit=500
        )
        assert isinstance(page, RoomMessagesResponse), page
        bodies += [e.body for e in page.chunk if isinstance(e, RoomMessageText)]
        if not page.chunk or not page.end:
            break
        token = page.end
    return [b for b in reversed(bodies) if b.startswith(prefix)]


async def post_rules(people: MatrixPeople, authors: list[str], each: int, tag: str) -> None:
    """Each author posts ``each`` rules one after another; the authors write at the same time."""

    async def write(author: str) -> None:
        for n in range(each):
            await people.say(author, f"Règle {tag} {author} {n + 1}")

    await asyncio.gather(*(write(a) for a in authors))


def handled_event_ids(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "atelier.db") as db:
        return {row[0] for row in db.execute("SELECT event_id FROM processed_events")}


async def react(people: MatrixPeople, person: str, target: str, key: str) -> str:
    relation = {"rel_type": "m.annotation", "event_id": target, "key": KEY_TO_EMOJI[key]}
    return await people._send(person, people.room, {"m.relates_to": relation}, "m.reaction")


async def test_a_burst_of_30_rules_and_24_vote_reactions_is_handled_whole_and_in_order(
    synapse, tmp_path
):
    voters = ["alice", "bruno", "chloe", "driss"]
    async with bot_behind_relay(synapse, tmp_path, ["camille", *voters]) as (s, proxy):
        people = s.people
        room = await at_ground_rules(people, voters)

        proxy.hold()  # the burst reaches the bot in one sync, as on a slow network
        await post_rules(people, ["camille", "alice", "bruno"], 10, "burst")
        proxy.release()
        await until("30 rules", lambda: _count(s, room, "rules", 30))
        expected_rules = await server_order(people, "Règle burst")

        await people.dm("camille", "aller 4")
        await heard(people, "Étape 4/18")
        for person in voters:
            await people.dm(person, f"Le problème de {person}")
            await heard(people, "votre problématique est notée", to=person)
        await people.dm("camille", "aller 6")
        await heard(people, "N° 4")
        cards = [await wait_for_ref(s.bot.refs, room, f"card:{n}@0") for n in (1, 2, 3, 4)]

        proxy.hold()
        # each voter: 👍 on the four cards, then 1️⃣ on the first two: 3 votes count, 3 do not
        plan = [(c, "thumbsup") for c in cards] + [(cards[0], "one"), (cards[1], "one")]

        async def vote(person: str) -> list[str]:
            return [await react(people, person, card, key) for card, key in plan]

        batches = await asyncio.gather(*(vote(p) for p in voters))
        reaction_ids = [reaction for batch in batches for reaction in batch]
        proxy.release()
        await until("24 reactions handled", lambda: _handled(tmp_path, reaction_ids))
        for person in voters:
            await until(
                f"{person}'s refusals", lambda p=person: _refusals(people, p) == 3, limit=30
            )
        state = await s.bot.state(room)

    assert len(expected_rules) == 30
    assert [rule.text for rule in state.rules] == expected_rules
    assert len(reaction_ids) == 24
    counted = sorted((v.voter, v.number) for v in state.votes)
    assert counted == sorted((people.user_id(p), n) for p in voters for n in (1, 2, 3))


async def test_rules_and_reactions_written_while_the_bot_is_stopped_are_all_taken(
    synapse, tmp_path
):
    newcomers = ["elise", "farid", "gaelle", "hugo", "ines"]
    async with bot_behind_relay(synapse, tmp_path, ["camille", "alice", "bruno", *newcomers]) as (
        s,
        _,
    ):
        people = s.people
        room = await at_ground_rules(people, ["alice", "bruno"])
        welcome = await wait_for_ref(s.bot.refs, room, "welcome")
        await s.bot.stop()

        await post_rules(people, ["camille", "alice"], 5, "pendant")
        hands = [await react(people, person, welcome, "hand") for person in newcomers]
        await post_rules(people, ["bruno"], 10, "ensuite")

        s.bot = await InProcessBot(s.config).start()
        await until("20 rules", lambda: _count(s, room, "rules", 20))
        await until("the hands", lambda: _handled(tmp_path, hands))
        state = await s.bot.state(room)
        expected = await server_order(people, "Règle ")

    assert len(expected) == 20
    assert [rule.text for rule in state.rules] == expected
    assert set(state.participants) >= {people.user_id(p) for p in newcomers}


async def test_600_rules_written_while_the_homeserver_is_out_of_reach_are_each_taken_once(
    synapse, tmp_path
):
    async with bot_behind_relay(synapse, tmp_path, ["camille", "alice", "bruno"]) as (s, proxy):
        people = s.people
        room = await at_ground_rules(people, ["alice", "bruno"])

        proxy.cut()
        await post_rules(people, ["camille", "alice", "bruno"], 200, "coupure")
        proxy.restore()
        await until("600 rules", lambda: _count(s, room, "rules", 600), limit=180)
        expected = await server_order(people, "Règle coupure")
        state = await s.bot.state(room)
        await people.say("alice", "Une dernière règle")
        await until("601 rules", lambda: _count(s, room, "rules", 601), limit=60)

    assert len(expected) == 600
    assert [rule.text for rule in state.rules] == expected


async def _count(s: Setup, room: str, field: str, n: int) -> bool:
    state = await s.bot.state(room)
    return state is not None and len(getattr(state, field)) >= n


def _handled(folder: Path, ids: list[str]) -> bool:
    return set(ids) <= handled_event_ids(folder)


def _refusals(people: MatrixPeople, person: str) -> int:
    return sum("pas compté" in h.text for h in people.heard if h.to == person)
