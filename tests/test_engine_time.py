"""The announced end is the boss: every change of plan is checked against it."""

from conftest import FAC, started, with_offerer

from bot.context import Ctx
from bot.formats import StepKind
from bot.steps import planned_end
from bot.testing import EngineHarness

K = StepKind
MINUTE = 60.0


def on_time(h: EngineHarness) -> None:
    """From here, the plan ends exactly at the announced end: no slack left."""
    planned = planned_end(Ctx(h.s, h.room, h.s.lang, h.clock.now))
    h.state = h.s.model_copy(update={"announced_end": planned, "warned_overrun": None})


def overruns(h, effects=None):
    return h.told(FAC, "plan.overrun", effects)


def test_a_pause_that_pushes_the_plan_past_the_announced_end_is_reported_at_resume(h):
    started(h)
    on_time(h)
    h.dm(FAC, "pause")
    h.advance(10 * MINUTE)
    assert not overruns(h, h.effects)  # while paused nobody knows the new plan yet
    h.dm(FAC, "reprendre")
    told = overruns(h)
    assert told and "10 min" in told[0].body


def test_going_back_a_step_past_the_announced_end_is_reported(h):
    with_offerer(h)
    on_time(h)
    h.dm(FAC, "retour")
    assert overruns(h)


def test_a_declined_consent_that_overruns_the_plan_is_reported(h):
    from conftest import at_choice

    at_choice(h)
    h.cmd("alice", "vote 1 1 2")
    h.dm(FAC, "suivant")
    on_time(h)
    h.advance(2.5 * MINUTE)  # the author thinks it over, the consent's time is nearly gone
    h.cmd("alice", "non")  # the next author gets the full time again
    assert overruns(h)


def test_a_step_waiting_for_the_facilitator_is_reported_once_then_every_five_minutes(h):
    from conftest import at_choice

    at_choice(h)
    h.cmd("alice", "vote 1 1 2")
    h.dm(FAC, "suivant")
    on_time(h)
    h.run_out_step()  # the consent waits for its author: the plan slips minute by minute
    told = []
    for _ in range(12):
        h.advance(MINUTE)
        told += overruns(h, h.post("bob", "on attend"))
    assert 2 <= len(told) <= 3  # at 1+ min, then 5 and 10 minutes later — not every message


def test_a_plan_neutral_message_repeats_no_warning(h):
    started(h)
    on_time(h)
    h.dm(FAC, "prolonger 10")
    assert overruns(h)
    h.post("alice", "bonjour")
    assert not overruns(h)


def test_the_proposal_shortens_the_current_step_when_it_can_absorb_the_overrun(h):
    started(h)
    on_time(h)
    h.dm(FAC, "prolonger 10")
    assert "raccourcir 10" in overruns(h)[0].body


def test_the_facilitator_is_told_once_when_the_announced_end_comes(h):
    h.cmd(FAC, "start --end 10:30")
    h.advance(29 * MINUTE)
    assert not h.told(FAC, "plan.end_reached", h.effects)
    h.advance(2 * MINUTE)
    reached = h.told(FAC, "plan.end_reached", h.effects)
    assert len(reached) == 1 and "10:30" in reached[0].body
    h.advance(60 * MINUTE)
    assert len(h.told(FAC, "plan.end_reached", h.effects)) == 1


def test_a_pause_does_not_move_the_announced_end(h):
    h.cmd(FAC, "start --end 10:30")
    h.dm(FAC, "pause")
    h.advance(31 * MINUTE)
    assert h.told(FAC, "plan.end_reached", h.effects)


def test_when_nothing_left_can_absorb_the_overrun_the_bot_proposes_the_record(h):
    from conftest import goto

    with_offerer(h)
    goto(h, K.HOT_FEEDBACK)
    on_time(h)
    h.dm(FAC, "pause")
    h.advance(30 * MINUTE)
    h.dm(FAC, "reprendre")
    assert "aller trace" in overruns(h)[0].body


def test_the_end_announced_at_the_start_holds_for_a_group_of_the_kits_size(h):
    started(h, [f"p{n}" for n in range(8)])
    h.dm(FAC, "suivant")
    assert not overruns(h, h.effects)
