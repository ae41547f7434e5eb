"""An end-to-end encrypted room: the bot reads and writes there, and says so when it cannot."""

from matrix_kit import InProcessBot, heard, setup, texts, until

from bot.formats import StepKind as K


async def test_short_atelier_runs_in_an_encrypted_room_and_keys_survive_a_restart(
    synapse, tmp_path
):
    s = await setup(synapse, tmp_path, ["camille", "alice", "bruno"])
    bot, people = s.bot, s.people
    try:
        room = await people.open(facilitator="camille", encrypted=True)
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Étape 1/18 · Accueil")
        await people.say("alice", "!atelier rejoindre")
        await people.react("bruno", "welcome", "hand", remove=False)
        await heard(people, "Bienvenue Bruno")
        await people.dm("camille", "aller 3")
        await heard(people, "Étape 3/18 · Règles du jeu")
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
        client = people.clients["camille"]
        # a session shared with nobody: what the bot gets when a client withholds its keys
        client.olm.create_outbound_group_session(room)
        client.olm.outbound_group_sessions[room].shared = True  # …but sent to nobody
        await client.room_send(
            room, "m.room.message", {"msgtype": "m.text", "body": "!atelier démarrer"}
        )
        said = await heard(people, "Je n'ai pas pu lire un message chiffré")
        await until("nothing started", lambda: _none(bot, room))
    finally:
        await s.close()
    assert "réécrire" in said


async def _none(bot, room: str) -> bool:  # type: ignore[no-untyped-def]
    return await bot.state(room) is None
