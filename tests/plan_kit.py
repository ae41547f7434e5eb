"""Planned sessions on a real platform (issue 16 §1): the scenario both platforms play.

Camille plans a session; Alice reacts ✋ to the invitation and Élise types « je viens »; days
pass on the bot's test clock (``BotInProcess.clock``): the room and each of them get the
day-before reminder, then the atelier opens at the start time with the two of them.
"""

from typing import Any

from people_kit import BotInProcess, heard, until

__all__ = [
    "a_check_in_answer_reaches_the_facilitator_and_seeds_the_problem_search",
    "a_date_poll_then_the_session_is_planned_moved_and_cancelled",
    "invitation_then_people_come_then_reminder_then_the_atelier_opens",
]

DAY = 86_400.0


async def invitation_then_people_come_then_reminder_then_the_atelier_opens(
    people: Any, bot: BotInProcess
) -> None:
    assert bot.runtime is not None and bot.clock is not None
    await people.say("camille", "!atelier planifier 12/01 14h --fin 16h30")
    await heard(people, "Atelier d'entraide n° 1")
    await people.react("alice", "plan:1", "hand", remove=False)
    await people.say("elise", "je viens")
    await heard(people, "vous venez à l'atelier d'entraide n° 1", to="alice")
    await heard(people, "vous venez à l'atelier d'entraide n° 1", to="elise")
    [agenda] = bot.runtime.agendas.values()
    start = agenda.sessions[0].start
    await bot.advance(start - DAY - bot.clock.now + 1)
    reminder = await heard(people, "🔔 Rappel")
    assert "12 janvier à 14\u202fh" in reminder and "Personnes annoncées\u202f: 2" in reminder
    await heard(people, "on compte sur vous", to="alice")
    await heard(people, "on compte sur vous", to="elise")
    await bot.advance(start - bot.clock.now)
    await heard(people, "C'est l'heure de l'atelier d'entraide n° 1")
    await heard(people, "Bienvenue Élise")
    state = await people.state()
    assert state is not None and state.facilitator == people.user_id("camille")
    assert [state.name(p) for p in state.participants] == ["Alice", "Élise"]


async def a_check_in_answer_reaches_the_facilitator_and_seeds_the_problem_search(
    people: Any, bot: BotInProcess
) -> None:
    """Planned with the check-in: Alice, asked privately the day before, answers privately;
    only Camille reads it; at the problem search Alice confirms it with `oui`."""
    assert bot.runtime is not None and bot.clock is not None
    await people.say("camille", "!atelier planifier 12/01 14h --questionnaire")
    await heard(people, "Atelier d'entraide n° 1")
    await people.react("alice", "plan:1", "hand", remove=False)
    await heard(people, "vous venez à l'atelier d'entraide n° 1", to="alice")
    [agenda] = bot.runtime.agendas.values()
    start = agenda.sessions[0].start
    await bot.advance(start - DAY - bot.clock.now + 1)
    await heard(people, "qu'aimeriez-vous apporter", to="alice")
    await people.dm("alice", "Garder nos bénévoles après l'été")
    answer = await heard(people, "a répondu", to="camille")
    assert "Garder nos bénévoles après l'été" in answer
    await heard(people, "seule la personne qui facilite le lira", to="alice")
    await bot.advance(start - bot.clock.now)
    await heard(people, "Bienvenue Alice")
    await people.dm("camille", "aller recherche")
    await heard(people, "Avant la séance, vous aviez écrit", to="alice")
    await people.dm("alice", "oui")
    await heard(people, "votre problématique est notée", to="alice")
    state = await people.state()
    assert state is not None
    assert [p.text for p in state.problems] == ["Garder nos bénévoles après l'été"]
    room = "\n".join(t for t in (h.text for h in people.heard if h.to is None))
    assert "Garder nos bénévoles" not in room  # private until the group's sharing step


async def a_date_poll_then_the_session_is_planned_moved_and_cancelled(
    people: Any, bot: BotInProcess
) -> None:
    """The group finds a date with a poll (✅ on the slots that suit); Camille plans the slot
    most chose; Alice says she comes; the session is moved, then cancelled: Alice is told each
    time privately, and the agenda is empty at the end."""
    assert bot.runtime is not None
    runtime = bot.runtime
    await people.say("camille", "!atelier sondage-date 12/01 14h, 14/01 18h")
    await heard(people, "Sondage pour trouver une date")
    await heard(people, "Créneau n° 3")
    await people.react("alice", "plan:slot:3", "yes", remove=False)
    await people.react("elise", "plan:slot:3", "yes", remove=False)
    await people.react("elise", "plan:slot:2", "yes", remove=False)

    def suits(number: int) -> int:
        [agenda] = runtime.agendas.values()
        return next(len(s.suits) for p in agenda.polls for s in p.slots if s.number == number)

    await until("the three answers counted", lambda: suits(3) == 2 and suits(2) == 1)
    await people.say("alice", "!atelier sondage-date")
    counts = await heard(people, "Réponses au sondage")
    [line] = [line for line in counts.splitlines() if "14 janvier" in line]
    assert "18\u202fh" in line and line.endswith("ça convient à\u202f: 2"), counts
    await people.say("camille", "!atelier planifier 3")
    await heard(people, "La date est choisie", to="alice")  # the slot suited her
    [agenda] = runtime.agendas.values()
    number = agenda.sessions[0].number
    await heard(people, f"Atelier d'entraide n° {number}")  # the invitation
    await people.react("alice", f"plan:{number}", "hand", remove=False)
    await heard(people, f"vous venez à l'atelier d'entraide n° {number}", to="alice")
    await people.say("camille", f"!atelier déplacer {number} 19/01 14h")
    moved = await heard(people, "est déplacé", to="alice")
    assert "19 janvier" in moved and "14 janvier" in moved
    await people.say("camille", f"!atelier annuler {number}")
    await heard(people, "est annulé", to="alice")
    await people.say("elise", "!atelier agenda")
    await heard(people, "Aucun atelier n'est prévu dans ce salon")
