"""An end-to-end encrypted room: the bot reads and writes there, and says so when it cannot."""

import json
from uuid import uuid4

from matrix_kit import InProcessBot, heard, setup, texts, until
from nio import Api, AsyncClient
from nio.crypto import OutboundGroupSession

from bot.formats import StepKind as K


async def test_short_atelier_runs_in_an_encrypted_room_and_keys_survive_a_restart(
    synapse, tmp_path
):
    s = await setup(synapse, tmp_path, ["camille", "alice", "bruno"])
    bot, people = s.bot, s.people
    try:
        room = await people.open(facilitator="camille", encrypted=True)
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Étape 1/18 — Accueil")
        await people.say("alice", "!atelier rejoindre")
        await people.react("bruno", "welcome", "hand", remove=False)
        await heard(people, "Bienvenue Bruno")
        await people.dm("camille", "aller 3")
        await heard(people, "Étape 3/18 — Règles du jeu")
        await people.say("alice", "On parle en « je »")
        await people.dm("camille", "suivant")
        await heard(people, "Nos règles du jeu")
        await people.dm("bruno", "Déléguer la comptabilité")
        await heard(people, "votre problématique est notée (n° 1)", to="bruno")

        await bot.stop()  # same device, same keys: the room's session still opens
        bot = s.bot = await InProcessBot(s.config).start()
        await people.say("alice", "!atelier problème Garder le lien avec les bénévoles")
        await heard(people, "votre problématique est notée (n° 2)", to="alice")
        state = await bot.state(room)
    finally:
        await s.close()
    assert state is not None and state.kind is K.PROBLEM_SEARCH
    assert [rule.text for rule in state.rules] == ["On parle en « je »"]
    assert [p.text for p in state.problems] == [
        "Déléguer la comptabilité",
        "Garder le lien avec les bénévoles",
    ]
    assert "(illisible)" not in texts(people)  # every bot message was decrypted by the people


async def test_a_message_the_bot_cannot_decrypt_gets_a_clear_answer(synapse, tmp_path):
    s = await setup(synapse, tmp_path, ["camille"])
    bot, people = s.bot, s.people
    try:
        room = await people.open(facilitator="camille", encrypted=True)
        await _send_unreadable(people.clients["camille"], room, "!atelier démarrer")
        said = await heard(people, "Je n'ai pas pu lire un message de ce salon")
        await until("nothing started", lambda: _none(bot, room))
    finally:
        await s.close()
    assert "renvoyer" in said


async def _none(bot, room: str) -> bool:  # type: ignore[no-untyped-def]
    return await bot.state(room) is None


async def _send_unreadable(client: AsyncClient, room: str, text: str) -> None:
    """Send ``text`` encrypted with a Megolm session whose key goes to nobody.

    That is what the bot gets when a client withholds its keys. The event is encrypted here
    and put to the homeserver as it is: ``room_send`` would first query keys and share a
    session of its own (or refuse to, the bot's device being unverified).
    """
    assert client.olm is not None and client.access_token
    session = OutboundGroupSession()  # never stored nor shared: its key stays here
    session.mark_as_shared()  # nio encrypts only with a "shared" session
    plaintext = {
        "type": "m.room.message",
        "content": {"msgtype": "m.text", "body": text},
        "room_id": room,
    }
    content = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "sender_key": client.olm.account.identity_keys["curve25519"],
        "ciphertext": session.encrypt(json.dumps(plaintext)),
        "session_id": session.id,
        "device_id": client.device_id,
    }
    method, path, data = Api.room_send(
        client.access_token, room, "m.room.encrypted", content, uuid4()
    )
    answer = await client.send(method, path, data)
    assert answer.status == 200, await answer.text()
