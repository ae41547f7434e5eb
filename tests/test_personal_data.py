"""A person's own data (issue 16 §6): 'mes-données' sends them what the bot keeps of theirs;
'oublie-moi' erases their private inputs at once and puts a neutral mention in place of their
name, in the atelier running and in the group's archive."""

from conftest import goto, with_offerer
from replay_kit import replay
from runtime_kit import ROOM, posted

from bot.effects import ArchiveQuery, PersonalData, SayDirect
from bot.engine import Engine, EngineSettings
from bot.formats import StepKind, load_formats
from bot.ids import RoomId, UserId
from bot.inbound import DirectIn
from bot.runtime import Runtime
from bot.store import Store
from bot.testing import EngineHarness, RecordingAdapter
from devkit.bench_stream import record_atelier


def test_forget_me_erases_private_inputs_and_the_name_in_the_atelier(h: EngineHarness):
    with_offerer(h)
    goto(h, StepKind.REFLECTION)
    h.dm("bob", "Un rebond très personnel")
    goto(h, StepKind.HOT_FEEDBACK)
    h.cmd("bob", "ressenti 2 fatigué")
    h.cmd("bob", "oublie-moi")
    s = h.s
    assert not [e for e in (*s.rebounds, *s.feelings) if e.author == "bob"]
    assert not [p for p in s.problems if p.author == "bob"]  # his problem was not chosen
    assert s.name("bob") == "une personne du groupe"
    asked = [e for e in h.last if isinstance(e, PersonalData)]
    assert asked and asked[0].forget and "Bob" in asked[0].names


def test_forget_me_keeps_the_chosen_problem_of_the_offerer(h: EngineHarness):
    with_offerer(h)
    chosen = h.s.chosen
    h.cmd("alice", "oublie-moi")
    assert [p.number for p in h.s.problems if p.author == "alice"] == [chosen]


async def _runtime(tmp_path) -> tuple[Runtime, Store, RecordingAdapter]:
    store = await Store.open(tmp_path / "atelier.db")
    adapter = RecordingAdapter()
    runtime = Runtime(Engine(EngineSettings(), load_formats()), store, [adapter])
    await runtime.start()
    return runtime, store, adapter


async def _dm(runtime: Runtime, user: str, text: str) -> None:
    await runtime.receive(
        DirectIn(platform="test", sender=UserId(user), sender_name=user.title(), text=text)
    )
    await runtime.settled()


def _told(adapter: RecordingAdapter, user: str, key: str) -> list[str]:
    said = adapter.performed
    return [e.body for e in said if isinstance(e, SayDirect) and e.user == user and e.key == key]


async def test_my_data_lists_what_is_kept_and_forget_me_erases_it(tmp_path):
    runtime, store, adapter = await _runtime(tmp_path)
    try:
        for n, (user, text) in enumerate(
            (("fac", "!atelier démarrer"), ("alice", "!atelier rejoindre"))
        ):
            await runtime.process(posted(user, text, n))
        while runtime.states[ROOM].kind is not StepKind.PROBLEM_SEARCH:
            await _dm(runtime, "fac", "suivant")
        await _dm(runtime, "alice", "Je ne sais plus comment dire non à ma présidente")
        await _dm(runtime, "alice", "mes-données")
        yours = _told(adapter, "alice", "privacy.yours")
        assert yours and "dire non à ma présidente" in yours[0]
        await _dm(runtime, "alice", "oublie-moi")
        assert _told(adapter, "alice", "privacy.forgotten")
        assert not runtime.states[ROOM].problems
        state = runtime.states[ROOM]
        assert not [r for r in await store.inputs(state.id) if r["author"] == "alice"]
        await _dm(runtime, "alice", "mes-données")
        assert _told(adapter, "alice", "privacy.nothing")
    finally:
        await runtime.stop()
        await store.close()


BENCH = RoomId("!bench:localhost")  # the recorded atelier's room


async def test_forget_me_puts_a_neutral_mention_in_the_archived_records(tmp_path):
    played = await replay(tmp_path / "atelier.db", record_atelier())
    try:
        named = PersonalData(room=ROOM, user=UserId("p2"), names=("P2",), lang="fr")
        assert (await played.store.answer(named)).records == 1  # the shared record names p2
        await played.runtime.receive(
            DirectIn(platform="test", sender=UserId("p2"), sender_name="P2", text="oublie-moi")
        )
        await played.runtime.settled()
        assert (await played.store.answer(named)).records == 0
        shown = await played.store.answer(
            ArchiveQuery(room=BENCH, user=UserId("x"), direct=True, number=1)
        )
        assert "une personne du groupe" in shown.found[0].text
        told = [e for e in played.adapter.performed if getattr(e, "key", "") == "privacy.forgotten"]
        assert told and "1 trace" in told[0].body
    finally:
        await played.close()


def test_two_forgotten_people_are_shown_alike_without_their_ids(h: EngineHarness):
    with_offerer(h)
    h.cmd("bob", "oublie-moi")
    h.cmd("chloe", "oublie-moi")
    h.post("bob", "Je suis encore là")  # his display name comes with every message
    assert h.s.name("bob") == h.s.name("chloe") == "une personne du groupe"
