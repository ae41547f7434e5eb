"""Cycles through the real runtime and SQLite store (issue 16 §3): the room remembers, across
sessions and restarts, who offered a situation and the problems carried; 'mes-données' lists
them and 'oublie-moi' erases them."""

from cycle_kit import Bot, clock_ahead
from runtime_kit import ROOM

from bot.formats import StepKind


async def _first_session(bot: Bot) -> None:
    """Alice offers; Bob's problem is not chosen and he carries it."""
    await bot.post("fac", "!atelier démarrer")
    for person in ("alice", "bob"):
        await bot.post(person, "!atelier rejoindre")
    while bot.kind is not StepKind.PROBLEM_SEARCH:
        await bot.dm("fac", "suivant")
    await bot.dm("alice", "Comment dire non à ma présidente ?")
    await bot.dm("bob", "Les réunions du mardi s'éternisent, j'étouffe")
    await bot.dm("fac", "aller choix")
    await bot.post("alice", "!atelier vote 1 1")
    await bot.dm("fac", "suivant")
    await bot.post("alice", "!atelier oui")
    await bot.dm("fac", "aller trace")
    assert bot.told("bob", "carry.ask")
    await bot.dm("bob", "reporter")
    await bot.dm("alice", "non")  # she keeps the record: the atelier ends
    assert ROOM not in bot.runtime.states


async def test_the_room_remembers_offerers_and_carried_problems_across_a_restart(tmp_path):
    """After a restart, the next session knows Alice offered and proposes Bob's problem to
    him alone; his 'oui' makes it a problem of the session and the carried copy goes."""
    clock = clock_ahead()
    bot = await Bot(tmp_path / "atelier.db", clock).open()
    try:
        await _first_session(bot)
        assert await bot.memory() == (
            ("alice",),
            (("bob", "Les réunions du mardi s'éternisent, j'étouffe"),),
        )
    finally:
        await bot.close()
    clock.advance(14 * 86_400)
    bot = await Bot(tmp_path / "atelier.db", clock).open()
    try:
        await bot.post("fac", "!atelier démarrer")
        for person in ("alice", "bob"):
            await bot.post(person, "!atelier rejoindre")
        state = bot.runtime.states[ROOM]
        assert state.cycle_known and state.past_offerers == ["alice"]
        while bot.kind is not StepKind.PROBLEM_SEARCH:
            await bot.dm("fac", "suivant")
        assert "s'éternisent" in bot.told("bob", "carry.proposed")[0]
        assert not bot.told("alice", "carry.proposed")
        await bot.dm("bob", "oui")
        problems = bot.runtime.states[ROOM].problems
        assert [(p.author, p.text) for p in problems] == [
            ("bob", "Les réunions du mardi s'éternisent, j'étouffe")
        ]
        assert await bot.memory() == (("alice",), ())
    finally:
        await bot.close()


async def test_a_question_about_the_room_unanswered_before_a_stop_is_asked_again(tmp_path):
    """The bot stops between the start and the room's answer: at restart it asks again."""
    clock = clock_ahead()
    bot = await Bot(tmp_path / "atelier.db", clock).open()
    try:
        await _first_session(bot)
        bot.runtime._look_up = _lost  # type: ignore[method-assign]
        await bot.post("fac", "!atelier démarrer")
        assert not bot.runtime.states[ROOM].cycle_known
    finally:
        await bot.close()
    bot = await Bot(tmp_path / "atelier.db", clock).open()
    try:
        state = bot.runtime.states[ROOM]
        assert state.cycle_known and state.past_offerers == ["alice"]
        assert "bob" in state.carried
    finally:
        await bot.close()


async def _lost(query: object) -> None:
    """A look-up that never answers (the process stopped first)."""


async def test_my_data_lists_the_carried_problem_and_forget_me_erases_the_room_memory(tmp_path):
    """Bob sees his carried problem in 'mes-données'; after 'oublie-moi' the room no longer
    holds it, and Alice's forget-me erases that she offered."""
    clock = clock_ahead()
    bot = await Bot(tmp_path / "atelier.db", clock).open()
    try:
        await _first_session(bot)
        await bot.dm("bob", "mes-données")
        yours = bot.told("bob", "privacy.yours")
        assert yours and "s'éternisent" in yours[0] and "reportée" in yours[0]
        await bot.dm("bob", "oublie-moi")
        await bot.dm("alice", "oublie-moi")
        assert await bot.memory() == ((), ())
    finally:
        await bot.close()
