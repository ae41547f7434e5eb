"""Property tests: random people typing random commands never break the engine's rules."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.formats import StepKind
from bot.testing import EngineHarness
from bot.voting import MAX_PER_PROBLEM, VOTES_PER_PERSON

USERS = ["fac", "alice", "bob", "chloe", "dan", "mod"]
WORDS = [
    "start",
    "join",
    "leave",
    "status",
    "help",
    "rules",
    "rule sois bref",
    "problem mon souci",
    "vote 1 1 2",
    "vote 3",
    "vote 2 2 2",
    "yes",
    "no",
    "request aide-moi",
    "hand",
    "done",
    "pass",
    "keep 1 2",
    "action agir @quand demain",
    "feeling 4 bien",
    "facilitate",
    "next",
    "extend 2",
    "shorten 3",
    "pause",
    "resume",
    "back",
    "goto 6",
    "goto exchanges",
    "end",
    "choose 1",
    "choose 2",
    "blabla",
]
REFS = [
    "welcome",
    "card:1@0",
    "card:2@0",
    "card:3@0",
    "card:1@1",
    "consent:1",
    "consent:2",
    "record_consent",
    "floor",
]
KEYS = ["one", "two", "thumbsup", "yes", "no", "hand"]

actions = st.one_of(
    st.tuples(st.just("cmd"), st.sampled_from(USERS), st.sampled_from(WORDS)),
    st.tuples(st.just("dm"), st.sampled_from(USERS), st.sampled_from([*WORDS, "texte libre"])),
    st.tuples(st.just("post"), st.sampled_from(USERS), st.text(max_size=20)),
    st.tuples(
        st.just("react"), st.sampled_from(USERS), st.sampled_from(REFS), st.sampled_from(KEYS)
    ),
    st.tuples(
        st.just("unreact"), st.sampled_from(USERS), st.sampled_from(REFS), st.sampled_from(KEYS)
    ),
    st.tuples(st.just("wait"), st.floats(min_value=0, max_value=900)),
)


def _check_invariants(h: EngineHarness) -> None:
    s = h.state
    if s is None or s.finished:
        return
    per_voter: dict[str, int] = {}
    per_problem: dict[tuple[str, int], int] = {}
    for vote in s.current_votes:
        per_voter[vote.voter] = per_voter.get(vote.voter, 0) + vote.weight
        key = (vote.voter, vote.number)
        per_problem[key] = per_problem.get(key, 0) + vote.weight
    assert all(n <= VOTES_PER_PERSON for n in per_voter.values())
    assert all(n <= MAX_PER_PROBLEM for n in per_problem.values())
    assert s.facilitator not in s.participants
    assert s.facilitator not in per_voter
    assert s.turns.speaker not in s.turns.queue or s.turns.speaker is None
    assert len(set(s.turns.queue)) == len(s.turns.queue)
    if s.reached(StepKind.SITUATION) and s.step.kind is not StepKind.CONSENT:
        assert s.offerer is None or s.offerer in s.participants or s.offerer not in s.people
    for at in s.timers.values():
        assert at >= h.clock.now - 1e-6, "a deadline is in the past"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=60))
def test_random_sequences_never_raise_and_keep_the_invariants(steps):
    h = EngineHarness()
    h.cmd("fac", "start")
    for person in ("alice", "bob", "chloe", "dan"):
        h.cmd(person, "join")
    for action in steps:
        kind = action[0]
        if kind == "cmd":
            h.cmd(action[1], action[2])
        elif kind == "dm":
            h.dm(action[1], action[2])
        elif kind == "post":
            h.post(action[1], action[2])
        elif kind == "react":
            h.react(action[1], action[2], action[3])
        elif kind == "unreact":
            h.unreact(action[1], action[2], action[3])
        else:
            h.advance(action[1])
        _check_invariants(h)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob", "chloe"]),
            st.sampled_from(REFS[1:5]),
            st.sampled_from(["one", "two", "thumbsup"]),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_any_reaction_sequence_respects_vote_limits(reactions):
    from conftest import at_choice

    h = at_choice(EngineHarness())
    for user, ref, key, add in reactions:
        (h.react if add else h.unreact)(user, ref, key)
        _check_invariants(h)


def test_decide_never_changes_the_state_it_is_given_at_any_point_of_a_whole_atelier():
    """``decide`` copies lists and dicts only (entries are frozen): nothing may leak back."""
    from bot.engine import Engine, EngineSettings
    from bot.formats import load_formats
    from devkit.bench_stream import record_atelier

    engine = Engine(EngineSettings(), load_formats())
    state = None
    checked = 0
    for recorded in record_atelier():
        snapshot = state.model_dump() if state is not None else None
        after, _ = engine.decide(state, recorded.event, recorded.now)
        if state is not None:
            assert state.model_dump() == snapshot, recorded.event
            checked += 1
        state = after
    assert checked > 150
