"""``aide`` says, privately, what this person does now, then the commands that make sense."""

import pytest
from conftest import FAC, PEOPLE, at_step, started

from bot.effects import Say
from bot.formats import StepKind
from bot.testing import EngineHarness

STEPS = [kind for kind in StepKind]
ROLES = {"facilitator": FAC, "offerer": PEOPLE[0], "contributor": PEOPLE[1], "newcomer": "zoe"}


@pytest.mark.parametrize("kind", STEPS, ids=[k.value for k in STEPS])
def test_help_at_every_step_for_every_role_is_private_and_says_what_to_do_now(kind):
    h = at_step(kind)
    for role, user in ROLES.items():
        for effects in (h.cmd(user, "aide"), h.dm(user, "aide")):
            assert not [e for e in effects if isinstance(e, Say)], (kind, role)
            answer = h.told(user, "help.body", effects)
            assert answer, (kind, role)
            lines = answer[0].body.splitlines()
            assert len(lines) >= 2 and lines[1].strip(), (kind, role)
            assert "{" not in answer[0].body, (kind, role, answer[0].body)


def test_help_tells_the_offerer_and_a_contributor_different_things_during_the_exchanges():
    h = at_step(StepKind.EXCHANGES)
    offerer = h.told(PEOPLE[0], "help.body", h.dm(PEOPLE[0], "aide"))[0].body.splitlines()[1]
    contributor = h.told(PEOPLE[1], "help.body", h.dm(PEOPLE[1], "aide"))[0].body.splitlines()[1]
    assert offerer != contributor
    assert "main" in contributor


def test_help_in_the_problem_search_says_to_send_the_problem_privately():
    h = EngineHarness()
    started(h)
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")
    body = h.told("bob", "help.body", h.cmd("bob", "aide"))[0].body
    assert "privé" in body


def test_a_room_moderator_learns_faciliter_from_help():
    h = EngineHarness()
    started(h)
    body = h.told("mod", "help.body", h.post("mod", "!atelier aide", moderator=True))[0].body
    assert "faciliter" in body
    body = h.told("bob", "help.body", h.cmd("bob", "aide"))[0].body
    assert "faciliter" not in body
