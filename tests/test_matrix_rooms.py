"""Matrix room rules: moderators and creators, who may invite the bot, edits, bad credentials."""

import subprocess
import sys
from pathlib import Path

from matrix_kit import Homeserver, InProcessBot, bot_config, heard, people_for, setup, texts, until
from nio import AsyncClient, JoinedMembersResponse

from adapters.matrix import MatrixAdapter
from bot.config import MatrixSection

ROOT = Path(__file__).resolve().parents[1]


async def _room(synapse, tmp_path, names, **matrix):  # type: ignore[no-untyped-def]
    s = await setup(synapse, tmp_path, names, **matrix)
    return s.bot, s.people


async def test_room_moderator_and_room_creator_may_take_over_facilitation(synapse, tmp_path):
    bot, people = await _room(synapse, tmp_path, ["camille", "alice", "bruno"])
    try:
        room = await people.open(facilitator="camille")  # camille creates the room (v12)
        await people.say("bruno", "!atelier démarrer")
        await heard(people, "Étape 1/18 — Accueil")
        await people.say("alice", "!atelier faciliter")  # neither creator nor moderator
        await heard(people, "Seule une personne modératrice du salon", to="alice")
        await people.say("camille", "!atelier faciliter")  # the creator: implicit top power
        await heard(people, "Camille facilite désormais l'atelier (à la place de Bruno)")

        host = people.clients["camille"]
        levels = await host.room_get_state_event(room, "m.room.power_levels")
        content = dict(levels.content)
        content["users"] = {**content.get("users", {}), people.user_id("alice"): 50}
        await host.room_put_state(room, "m.room.power_levels", content)
        await until("alice to be a moderator", lambda: _level(bot, room, people.user_id("alice")))
        await people.say("alice", "!atelier faciliter")
        await heard(people, "Alice facilite désormais l'atelier (à la place de Camille)")
        state = await bot.state(room)
    finally:
        await people.close()
        await bot.stop()
    assert state is not None and state.facilitator == people.user_id("alice")


def _level(bot: InProcessBot, room: str, user: str) -> bool:
    assert bot.adapter is not None and bot.adapter.client is not None
    return bot.adapter.client.rooms[room].power_levels.get_user_level(user) >= 50


async def test_invitation_from_someone_not_allowed_is_declined(synapse, tmp_path):
    bot, people = await _room(
        synapse, tmp_path, ["camille"], allowed_inviters=["@someone-else:localhost"]
    )
    try:
        host_account = people.accounts["camille"]
        host = AsyncClient(synapse.url, host_account.user_id)
        await host.login(host_account.password)
        created = await host.room_create(name="Pas invité", invite=[bot.config.matrix.user_id])
        room = created.room_id
        await until("the bot to decline", lambda: _declined(host, room, bot))
        joined = await host.joined_members(room)
        await host.close()
    finally:
        await bot.stop()
    assert isinstance(joined, JoinedMembersResponse)
    assert bot.config.matrix.user_id not in [m.user_id for m in joined.members]


async def _declined(host, room: str, bot: InProcessBot) -> bool:  # type: ignore[no-untyped-def]
    answer = await host.room_get_state_event(room, "m.room.member", bot.config.matrix.user_id)
    return getattr(answer, "content", {}).get("membership") == "leave"


def test_allowed_inviters_default_to_the_bot_s_own_server():
    bot_settings = MatrixSection(
        homeserver="http://127.0.0.1:1", user_id="@atelier:example.org", password="x"
    )
    adapter = MatrixAdapter(bot_settings, None, language="fr", key_dir=Path("/nonexistent"))  # type: ignore[arg-type]
    assert adapter._may_invite("@camille:example.org")
    assert not adapter._may_invite("@mallory:elsewhere.net")
    wide = bot_settings.model_copy(update={"allowed_inviters": ["*"]})
    assert MatrixAdapter(wide, None, language="fr", key_dir=Path("/x"))._may_invite("@a:b.c")  # type: ignore[arg-type]


async def test_an_edited_problem_replaces_the_earlier_text(synapse, tmp_path):
    bot, people = await _room(synapse, tmp_path, ["camille", "alice"])
    try:
        room = await people.open(facilitator="camille")
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await heard(people, "Bienvenue Alice")
        await people.dm("camille", "aller 4")
        await heard(people, "Étape 4/18 — Recherche de problématique")
        client = people.clients["alice"]
        sent = await client.room_send(
            room, "m.room.message", {"msgtype": "m.text", "body": "!atelier problème Garder"}
        )
        await heard(people, "votre problématique est notée (n° 1)", to="alice")
        edit = {
            "msgtype": "m.text",
            "body": "* !atelier problème Garder les bénévoles",
            "m.new_content": {
                "msgtype": "m.text",
                "body": "!atelier problème Garder les bénévoles",
            },
            "m.relates_to": {"rel_type": "m.replace", "event_id": sent.event_id},
        }
        await client.room_send(room, "m.room.message", edit)
        await until("the edit to count", lambda: _problem_is(bot, room, "Garder les bénévoles"))
    finally:
        await people.close()
        await bot.stop()


async def _problem_is(bot: InProcessBot, room: str, text: str) -> bool:
    state = await bot.state(room)
    return state is not None and [p.text for p in state.problems] == [text]


def test_wrong_password_stops_start_up_with_one_error_naming_the_key(synapse, tmp_path):
    bot = synapse.account("atelier")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "a.db"}"\n\n[matrix]\nhomeserver = "{synapse.url}"\n'
        f'user_id = "{bot.user_id}"\npassword = "not-the-password"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "[matrix] password" in done.stderr
    assert "Traceback" not in done.stderr


async def test_an_exception_while_handling_one_event_does_not_stop_the_sync(synapse, tmp_path):
    from bot.events import MessagePosted
    from bot.store import Store

    bot_account = synapse.account("atelier")
    config = bot_config(synapse, bot_account, tmp_path, spm=60)
    store = await Store.open(config.storage.path)
    adapter = MatrixAdapter(config.matrix, store, language="fr", key_dir=tmp_path / "keys")
    received: list[str] = []

    async def fragile_sink(inbound: object) -> None:
        if isinstance(inbound, MessagePosted):
            received.append(inbound.text)
            if inbound.text == "boum":
                raise RuntimeError("a bug in a handler")

    people = people_for(
        synapse, bot_account.user_id, synapse.accounts(["camille"]), tmp_path, _none, _none
    )
    try:
        await adapter.connect(fragile_sink)
        await people.open(facilitator="camille")
        await people.say("camille", "boum")
        await until("the first message", lambda: "boum" in received)
        await people.say("camille", "encore là ?")
        await until("the next message", lambda: "encore là ?" in received)
    finally:
        await people.close()
        await adapter.close()
        await store.close()


async def _none(*_: object) -> None:
    return None


async def test_bot_opens_one_private_room_per_person_and_reuses_it_after_a_restart(
    synapse, tmp_path
):
    s = await setup(synapse, tmp_path, ["camille", "alice"])
    people = s.people
    try:
        await people.open(facilitator="camille", private_rooms=False)
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("alice", "!atelier rejoindre")  # answered privately: already joined
        await heard(people, "Vous faites déjà partie des personnes inscrites", to="alice")
        first_room = people.direct["alice"]
        await s.bot.stop()
        s.bot = await InProcessBot(s.config).start()
        await people.say("alice", "!atelier rejoindre")
        await until("a second answer", lambda: _count(people, "déjà partie", "alice") == 2)
        creation = await people.clients["alice"].room_get_state_event(first_room, "m.room.create")
        invited = await people.clients["alice"].room_get_state_event(
            first_room, "m.room.member", people.user_id("alice")
        )
    finally:
        await s.close()
    to_alice = [h for h in people.heard if h.to == "alice"]
    assert len(to_alice) == 2
    assert {h.room for h in to_alice} == {first_room}  # the same room, across the restart
    assert creation.content  # alice opened no private room: this one is the bot's
    assert invited.content["membership"] == "join"


def _count(people, needle: str, to: str) -> int:  # type: ignore[no-untyped-def]
    return sum(needle in h.text for h in people.heard if h.to == to)


async def test_bot_logs_in_with_an_access_token(synapse, tmp_path):
    bot_account = synapse.account("atelier")
    login = AsyncClient(synapse.url, bot_account.user_id)
    await login.login(bot_account.password, device_name="atelier-bot")
    token = login.access_token
    await login.close()
    config = bot_config(synapse, bot_account, tmp_path, spm=60)
    config = config.model_copy(
        update={
            "matrix": config.matrix.model_copy(update={"password": None, "access_token": token})
        }
    )
    s = await setup(synapse, tmp_path, ["camille"], config=config)
    try:
        await s.people.open(facilitator="camille")
        await s.people.say("camille", "!atelier démarrer")
        await heard(s.people, "Étape 1/18 — Accueil")
    finally:
        await s.close()


async def test_rate_limited_messages_wait_as_asked_and_arrive_in_order_once(
    tmp_path, synapse, caplog
):
    """On a homeserver with a strict message rate limit, nothing is lost or sent twice."""
    from devkit.synapse_local import SYNAPSE_VENV, LocalSynapse, ensure_installed

    strict = LocalSynapse(
        tmp_path / "strict",
        ensure_installed(SYNAPSE_VENV),
        overrides={"rc_message": {"per_second": 1, "burst_count": 2}},
    )
    strict.start()
    s = await setup(Homeserver(strict), tmp_path, ["camille", "alice", "bruno"])
    bot, people = s.bot, s.people
    try:
        await people.open(facilitator="camille")
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("bruno", "!atelier rejoindre")
        await heard(people, "Bienvenue Bruno", limit=60)
        delays = bot.store and await bot.store.pending()
    finally:
        await s.close()
        strict.stop()
    said = texts(people)
    order = [
        next(i for i, t in enumerate(said) if needle in t)
        for needle in ("Étape 1/18", "Bienvenue Alice", "Bienvenue Bruno")
    ]
    assert order == sorted(order)
    assert len(said) == len(set(h.event_id for h in people.heard if h.to is None))
    assert sum("Bienvenue Alice" in t for t in said) == 1
    assert not delays
    assert "failed (rate limited)" in caplog.text  # the limit was really hit, and waited for
