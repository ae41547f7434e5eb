"""Cycles in a real Matrix room, on a real Synapse (issue 16 §3): two sessions in one room.
In the first, Bruno carries his problem not chosen; in the second, only he is shown it, his
'oui' puts it to the group, and on equal votes it goes first because Alice has already
offered a situation in this room."""

from cycles_people_kit import BRUNO_PROBLEM, two_sessions
from matrix_kit import setup


async def test_a_carried_problem_and_the_newcomer_rule_across_two_sessions(synapse, tmp_path):
    """Session 1: Alice offers, Bruno carries his problem. Session 2: Bruno alone is asked,
    confirms, and his problem wins the tie at zero votes against Alice's."""
    s = await setup(synapse, tmp_path, ["camille", "alice", "bruno"])
    try:
        room = await s.people.open(facilitator="camille")
        runtime = s.bot.runtime

        def kind() -> object:
            state = runtime.states.get(room)
            return state.kind if state is not None else None

        await two_sessions(s.people, kind)
        state = runtime.states[room]
    finally:
        await s.close()
    chosen = state.problem(1)
    assert state.chosen == 1 and chosen is not None and chosen.text == BRUNO_PROBLEM
