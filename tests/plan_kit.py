"""Planned sessions on a real platform (issue 16 §1): the scenario both platforms play.

Camille plans a session; Alice reacts ✋ to the invitation and Élise types « je viens »; days
pass on the bot's test clock (``BotInProcess.clock``): the room and each of them get the
day-before reminder, then the atelier opens at the start time with the two of them.
"""

from typing import Any

from people_kit import BotInProcess, heard

__all__ = ["invitation_then_people_come_then_reminder_then_the_atelier_opens"]

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
