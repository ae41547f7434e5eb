"""The announced end is the boss: every change of plan is checked against it."""

from conftest import FAC, started, with_offerer

from bot.context import Ctx
from bot.formats import StepKind
from bot.steps import planned_end
from bot.steps.base import step_seconds
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


# -- the exchanges take what the time allows ---------------------------------------------------
def _exchanges_with(h: EngineHarness, available_minutes: float) -> float:
    """Go to the exchanges with the announced end leaving them ``available_minutes``."""
    from conftest import goto

    with_offerer(h)
    goto(h, K.REFLECTION)
    ctx = Ctx(h.s, h.room, h.s.lang, h.clock.now)
    reflection_left = ctx.remaining("step") or 0.0
    after = sum(
        step_seconds(ctx, step) for step in h.s.format.steps[h.s.step_index + 2 :]
    )  # the steps after the exchanges, at their planned time
    end = h.clock.now + reflection_left + available_minutes * MINUTE + after
    h.state = h.s.model_copy(update={"announced_end": end})
    h.run_out_step()
    assert h.s.kind is K.EXCHANGES
    return (h.s.timers["step"] - h.clock.now) / MINUTE


def test_the_exchanges_take_what_the_time_allows_and_say_so(h):
    assert round(_exchanges_with(h, 25)) == 25
    assert "25 min" in h.said("plan.sized", h.last)[0].body


def test_the_exchanges_never_shrink_below_the_kits_20_minutes(h):
    assert round(_exchanges_with(h, 12)) == 20
    assert overruns(h, h.last)  # and the facilitator hears the plan no longer fits


def test_the_exchanges_never_grow_beyond_the_kits_45_minutes(h):
    assert round(_exchanges_with(h, 90)) == 45


def test_exchanges_at_their_planned_time_say_nothing_more(h):
    assert round(_exchanges_with(h, 30)) == 30
    assert not h.said("plan.sized", h.last)


# -- the problem sharing fits its presenters ---------------------------------------------------
def _sharing_cut_short(h: EngineHarness) -> None:
    from conftest import at_problem_search

    at_problem_search(h)
    for person in ("alice", "bob", "chloe", "dan", "eve"):
        h.dm(person, f"Le problème de {person}")
    h.dm(FAC, "suivant")
    assert h.s.kind is K.PROBLEM_SHARING
    assert h.s.timers["step"] - h.clock.now == 10 * MINUTE  # 5 presenters, 2 min each
    h.dm(FAC, "raccourcir 6")


def test_the_facilitator_hears_who_has_not_presented_before_anyone_is_cut(h):
    _sharing_cut_short(h)
    h.advance(3.5 * MINUTE)
    waiting = h.told(FAC, "plan.presenters_waiting", h.last)
    assert waiting and "Dan" in waiting[0].body and "Eve" in waiting[0].body


def test_a_problem_never_presented_is_marked_on_the_ballot(h):
    _sharing_cut_short(h)
    h.advance(5 * MINUTE)
    assert h.s.kind is K.CHOICE
    assert {c.body.split("**")[1] for c in h.said("choice.card_unpresented", h.effects)} == {
        "N° 3",
        "N° 4",
        "N° 5",
    }
    assert "n° 3, n° 4, n° 5" in h.said("choice.unpresented", h.effects)[0].body


def test_a_format_step_whose_minutes_lie_outside_its_bounds_is_refused():
    import pytest
    from pydantic import ValidationError

    from bot.formats import Step

    with pytest.raises(ValidationError, match="between"):
        Step(id="exchanges", kind=K.EXCHANGES, minutes=50, min_minutes=20, max_minutes=45)
    with pytest.raises(ValidationError, match="both"):
        Step(id="exchanges", kind=K.EXCHANGES, minutes=30, min_minutes=20)
