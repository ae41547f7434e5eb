"""Facilitating by private message on Matrix, two ateliers at once, and the bot removed."""

import asyncio

from matrix_kit import heard, people_for, setup, texts, until

from bot.formats import StepKind as K


async def _atelier(synapse, tmp_path, names, bot=None):  # type: ignore[no-untyped-def]
    """A bot (unless given) and a room where the first name facilitates and the others join."""
    if bot is None:
        s = await setup(synapse, tmp_path / names[0], names)
        bot, people = s.bot, s.people
    else:
        accounts = synapse.accounts(names)
        user = bot.config.matrix.user_id
        people = people_for(synapse, user, accounts, tmp_path / names[0], bot.refs, bot.state)
    await people.open(facilitator=names[0])
    await people.say(names[0], "!atelier démarrer")
    for name in names[1:]:
        await people.say(name, "!atelier rejoindre")
    await until("everyone registered", lambda: _registered(bot, people, len(names) - 1))
    return bot, people


async def _registered(bot, people, count) -> bool:  # type: ignore[no-untyped-def]
    state = await bot.state(people.room)
    return state is not None and len(state.participants) == count


async def _kind(bot, people):  # type: ignore[no-untyped-def]
    state = await bot.state(people.room)
    return None if state is None else state.kind


async def test_facilitator_steers_by_private_message_and_others_are_refused(synapse, tmp_path):
    bot, people = await _atelier(synapse, tmp_path, ["camille", "alice", "bruno"])
    try:
        await people.dm("bruno", "suivant")
        await heard(people, "C'est Camille, la personne qui facilite", to="bruno")
        assert await _kind(bot, people) is K.WELCOME

        await people.dm("camille", "suivant")
        await until("the presentation", lambda: _is(bot, people, K.PRESENTATION))
        before = (await bot.state(people.room)).timers["step"]
        await people.dm("camille", "prolonger 5")
        await heard(people, "5 min de plus pour «\u202fPrésentation\u202f»")
        assert (await bot.state(people.room)).timers["step"] == before + 5 * 60

        await people.dm("camille", "pause")
        await heard(people, "⏸️ Pause")
        assert (await bot.state(people.room)).paused is not None
        await people.dm("camille", "reprendre")
        await heard(people, "▶️ On reprend «\u202fPrésentation\u202f»")

        await people.dm("camille", "retour")
        await until("back to the welcome", lambda: _is(bot, people, K.WELCOME))
        await people.dm("camille", "aller 3")
        await until("the ground rules", lambda: _is(bot, people, K.GROUND_RULES))
        await heard(people, "nous emmène à l'étape «\u202fRègles du jeu\u202f»")
        await people.dm("camille", "terminer")  # no problem chosen yet: nothing to record
        await heard(people, "L'atelier est terminé")
        assert await bot.state(people.room) is None
    finally:
        await people.close()
        await bot.stop()


async def _is(bot, people, kind) -> bool:  # type: ignore[no-untyped-def]
    return await _kind(bot, people) is kind


async def test_two_ateliers_in_two_rooms_do_not_interfere(synapse, tmp_path):
    bot, first = await _atelier(synapse, tmp_path, ["camille", "alice", "bruno"])
    _, second = await _atelier(synapse, tmp_path, ["driss", "elise", "farid"], bot=bot)
    try:
        await asyncio.gather(first.dm("camille", "suivant"), second.dm("driss", "aller 3"))
        await until("room 1 at the presentation", lambda: _is(bot, first, K.PRESENTATION))
        await until("room 2 at the ground rules", lambda: _is(bot, second, K.GROUND_RULES))
        await first.say("alice", "On s'écoute")
        await second.say("elise", "Bienveillance")
        await second.dm("driss", "suivant")
        await heard(second, "Nos règles du jeu")
        rules_2 = (await bot.state(second.room)).rules
        assert [rule.text for rule in rules_2] == ["Bienveillance"]
        assert await _kind(bot, first) is K.PRESENTATION
        assert not any("Bienveillance" in t for t in texts(first))
        assert all(h.to in (None, "camille", "alice", "bruno") for h in first.heard)
    finally:
        await first.close()
        await second.close()
        await bot.stop()


async def test_bot_removed_from_the_room_ends_that_atelier_cleanly(synapse, tmp_path):
    bot, people = await _atelier(synapse, tmp_path, ["camille", "alice"])
    try:
        host = people.clients["camille"]
        await host.room_kick(people.room, bot.config.matrix.user_id, reason="fin du test")
        await until("the atelier to end", lambda: _gone(bot, people))
        assert bot.store is not None
        await until("nothing left to send", lambda: _outbox_empty(bot))
    finally:
        await people.close()
        await bot.stop()


async def _gone(bot, people) -> bool:  # type: ignore[no-untyped-def]
    return await bot.state(people.room) is None


async def _outbox_empty(bot) -> bool:  # type: ignore[no-untyped-def]
    return not await bot.store.pending()
