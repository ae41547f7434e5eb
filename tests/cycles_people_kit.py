"""Cycles played through a platform by people (the scenario's people protocol: ``say``,
``dm``, ``heard``), shared by the Matrix and Mattermost tests."""

from collections.abc import Callable
from typing import Any

from people_kit import heard, texts, until

from bot.formats import StepKind

__all__ = ["BRUNO_PROBLEM", "two_sessions"]


BRUNO_PROBLEM = "Les réunions s'éternisent 🌱, comment les raccourcir ?"


async def two_sessions(people: Any, step: Callable[[], StepKind | None]) -> None:
    """Cycles through a platform (the scenario's people protocol): in session 1 Alice offers
    and Bruno carries his problem; in session 2 only Bruno is shown it, confirms, and it wins
    the tie at zero votes against Alice's, as he has not offered yet."""

    async def at(kind: StepKind) -> None:
        await until(f"step {kind}", lambda: step() is kind, 30)

    async def count(needle: str, n: int) -> None:
        await until(f"{needle!r} said {n} times", lambda: _said(people, needle) >= n)

    before = 0
    for session in (1, 2):
        before = len(texts(people))
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("bruno", "!atelier rejoindre")
        await count("Bienvenue Bruno", session)
        await people.dm("camille", "aller 4")
        await count("Étape 4/18", session)
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


def _said(people: Any, needle: str) -> int:
    return sum(needle in text for text in texts(people))
