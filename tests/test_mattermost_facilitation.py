"""Mattermost: steering by direct message, channel admins taking over, the bot removed."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import heard, until

from bot.formats import StepKind as K


async def _kind(bot: MattermostBot, room: str) -> K | None:
    state = await bot.state(room)
    return None if state is None else state.kind


async def test_facilitator_steers_privately_admins_take_over_and_removal_ends_it(
    mattermost, tmp_path
):
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(
        mattermost, ["camille", "alice", "bruno"], refs=bot.refs, state=bot.state
    )
    try:
        room = await people.open(facilitator="camille", admins=("alice",))
        await people.say("bruno", "!atelier démarrer")
        await people.say("camille", "!atelier rejoindre")
        await heard(people, "Bienvenue Camille")
        await people.dm("camille", "suivant")  # not the facilitator (Bruno is)
        await heard(people, "C'est Bruno, la personne qui facilite", to="camille")
        assert await _kind(bot, room) is K.WELCOME

        await people.say("alice", "!atelier faciliter")  # a channel admin
        await heard(people, "Alice facilite désormais l'atelier (à la place de Bruno)")
        await people.dm("alice", "prolonger 5")
        await heard(people, "5 min de plus pour «\u202fAccueil\u202f»")
        await people.dm("alice", "pause")
        await heard(people, "⏸️ Pause")
        await people.dm("alice", "reprendre")
        await people.dm("alice", "aller 3")
        await until("the ground rules", lambda: _is(bot, room, K.GROUND_RULES))
        await people.dm("alice", "retour")
        await until("the presentation", lambda: _is(bot, room, K.PRESENTATION))

        channel = room.removeprefix("mattermost:")
        await mattermost.remove_member(channel, bot.adapter.user_id, people.ids["alice"])
        await until("the atelier to end", lambda: _gone(bot, room))
    finally:
        await bot.stop()


async def _is(bot: MattermostBot, room: str, kind: K) -> bool:
    return await _kind(bot, room) is kind


async def _gone(bot: MattermostBot, room: str) -> bool:
    return await bot.state(room) is None
