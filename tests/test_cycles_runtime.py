"""Cycles through the real runtime and SQLite store (issue 16 §3): the room remembers, across
sessions and restarts, who offered a situation and the problems carried; 'mes-données' lists
them and 'oublie-moi' erases them."""

import time
from pathlib import Path

from runtime_kit import ROOM, posted

from bot.effects import CycleQuery, SayDirect
from bot.engine import Engine, EngineSettings
from bot.formats import StepKind, load_formats
from bot.ids import RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import FrozenClock, RecordingAdapter


class Bot:
    """A runtime on a SQLite file, with a test clock; messages numbered as they go."""

    def __init__(self, path: Path, clock: FrozenClock) -> None:
        self.path, self.clock = path, clock
        self.n = int(clock.now)  # event ids stay new across restarts

    async def open(self) -> "Bot":
        self.store = await Store.open(self.path)
        self.adapter = RecordingAdapter()
        engine = Engine(EngineSettings(), load_formats())
        self.runtime = Runtime(engine, self.store, [self.adapter], clock=self.clock)
        await self.runtime.start()
        await self.runtime.settled()
        return self

    async def close(self) -> None:
        await self.runtime.stop()
        await self.store.close()

    async def post(self, user: str, text: str) -> None:
        self.n += 1
        self.clock.advance(1)
        await self.runtime.process(posted(user, text, self.n))
        await self.runtime.settled()

    async def dm(self, user: str, text: str) -> None:
        self.clock.advance(1)
        await self.runtime.receive(
            DirectIn(platform="test", sender=UserId(user), sender_name=user.title(), text=text)
        )
        await self.runtime.settled()

    def told(self, user: str, key: str) -> list[str]:
        return [
            e.body
            for e in self.adapter.performed
            if isinstance(e, SayDirect) and e.user == user and e.key == key
        ]

    @property
    def kind(self) -> StepKind:
        return self.runtime.states[ROOM].kind

    async def memory(self) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        found = await self.store.answer(CycleQuery(room=RoomId(ROOM), atelier_id="-"))
        assert not isinstance(found, tuple)
        return found.offerers, found.carried  # type: ignore[union-attr]


def _clock() -> FrozenClock:
    """A test clock a day ahead: the scheduler, on the wall clock, fires no deadline."""
    return FrozenClock(time.time() + 86_400)


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
    clock = _clock()
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
    clock = _clock()
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
    clock = _clock()
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
