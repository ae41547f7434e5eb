"""Cycles on Mattermost, through the real mattermostdriver (issue 16 §3): two sessions in one
channel. In the first, Bruno carries his problem not chosen; in the second, only he is shown
it, his 'oui' puts it to the group, and on equal votes it goes first because Alice has
already offered a situation in this channel."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import heard, texts, until

from bot.formats import StepKind

BRUNO_PROBLEM = "Les réunions s'éternisent 🌱, comment les raccourcir ?"


async def _count(people: MattermostPeople, needle: str, n: int, to: str | None = None) -> None:
    """Wait until the bot has said ``needle`` ``n`` times (to the room, or to ``to``)."""
    await until(
        f"{needle!r} said {n} times",
        lambda: sum(needle in t for t in texts(people, to)) >= n,
    )


async def test_a_carried_problem_and_the_newcomer_rule_across_two_sessions(mattermost, tmp_path):
    """Session 1: Alice offers, Bruno carries his problem. Session 2: Bruno alone is asked,
    confirms, and his problem wins the tie at zero votes against Alice's."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60.0)).start()
    people = MattermostPeople(
        mattermost, ("camille", "alice", "bruno"), refs=bot.refs, state=bot.state
    )
    try:
        room = await people.open(facilitator="camille")

        async def at(kind: StepKind) -> None:
            await until(f"step {kind}", lambda: _step(bot, room) is kind, 30)

        before = 0
        for session in (1, 2):
            before = len(texts(people))
            await people.say("camille", "!atelier démarrer")
            await people.say("alice", "!atelier rejoindre")
            await people.say("bruno", "!atelier rejoindre")
            await _count(people, "Bienvenue Bruno", session)
            await people.dm("camille", "aller 4")
            await _count(people, "Étape 4/18", session)
            if session == 1:
                await people.dm("alice", "Dire non à ma présidente")
                await people.dm("bruno", BRUNO_PROBLEM)
                await heard(people, "(n° 2)", to="bruno")
                await people.dm("camille", "aller choix")
                await people.say("alice", "!atelier vote 1 1")
                await heard(people, "Vote compté", to="alice")
                await people.dm("camille", "suivant")
                await people.say("alice", "!atelier oui")
                await heard(people, "Merci Alice")
                await people.dm("camille", "aller trace")
                asked = await heard(people, "n'a pas été choisie", to="bruno")
                assert "raccourcir" in asked
                await people.dm("bruno", "reporter")
                await heard(people, "reportée à la prochaine séance", to="bruno")
                await people.dm("alice", "non")  # she keeps the record: the session ends
                await heard(people, "L'atelier est terminé")
                continue
            proposed = await heard(people, "vous aviez reporté", to="bruno")
            assert "raccourcir" in proposed
            assert not [t for t in texts(people)[before:] if "raccourcir" in t]  # nothing shown
            assert not [t for t in texts(people, to="alice") if "raccourcir" in t]
            await people.dm("bruno", "oui")
            await heard(people, "(n° 1)", to="bruno")  # he was n° 2 last time
            await people.dm("alice", "Garder le lien avec les bénévoles")
            await heard(people, "(n° 2)", to="alice")  # she was n° 1 last time
            await people.dm("camille", "aller choix")
            await at(StepKind.CHOICE)
            await people.dm("camille", "suivant")  # nobody voted: 0 against 0
            said = await heard(people, "passe en premier")
            assert "n° 1" in said and "pas encore offert" in said
            await at(StepKind.CONSENT)
            state = await bot.state(room)
            assert state is not None and state.problem(1) is not None
            assert state.problem(1).text == BRUNO_PROBLEM  # type: ignore[union-attr]
    finally:
        await bot.stop()


def _step(bot: MattermostBot, room: str) -> StepKind | None:
    state = bot.runtime.states.get(room)
    return state.kind if state is not None else None
