"""Fair turns over random sequences of what a group does during the exchanges.

Whatever people do — ask twice, type while someone speaks, pass, leave, come late, let the
clock run — nobody holds the floor a second time while a contributor present never held it.
"""

from conftest import FAC, PEOPLE, goto, with_offerer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.formats import StepKind
from bot.state import AtelierState
from bot.testing import EngineHarness

K = StepKind


def _base() -> AtelierState:
    h = EngineHarness()
    with_offerer(h)
    goto(h, K.EXCHANGES)
    return h.s


BASE = _base()
PERSON = st.sampled_from([*PEOPLE[1:], "zoe"])
ACTION = st.one_of(
    st.tuples(st.just("hand"), PERSON),
    st.tuples(st.just("write"), PERSON),
    st.tuples(st.just("done"), PERSON),
    st.tuples(st.just("pass"), PERSON),
    st.tuples(st.just("facilitator_passes"), st.just(FAC)),
    st.tuples(st.just("leave"), PERSON),
    st.tuples(st.just("join"), PERSON),
    st.tuples(st.just("clock"), st.just(FAC)),
)


def _play(h: EngineHarness, action: str, person: str) -> None:
    match action:
        case "hand":
            h.cmd(person, "main")
        case "write":
            h.post(person, "Mon expérience")
        case "done":
            h.cmd(person, "fini")
        case "pass":
            h.cmd(person, "passe")
        case "facilitator_passes":
            h.dm(FAC, "passer")
        case "leave":
            h.cmd(person, "quitter")
        case "join":
            h.cmd(person, "rejoindre")
        case "clock":
            h.advance(3 * 60 + 0.01)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTION, max_size=25))
def test_nobody_holds_the_floor_twice_while_someone_present_never_held_it(actions):
    h = EngineHarness()
    h.state = BASE
    for action, person in actions:
        before = h.s.turns.speaker
        present = list(h.s.contributors)
        _play(h, action, person)
        if h.s.kind is not K.EXCHANGES:
            return
        speaker = h.s.turns.speaker
        if speaker is None or speaker == before:
            continue
        if h.s.turns.spoken[speaker] >= 2:
            never = [p for p in present if p in h.s.contributors and not h.s.turns.spoken.get(p)]
            assert never == [], f"{speaker} got the floor again before {never}"
