"""Fair turns, as the kit says: whoever has spoken waits until everyone has had the chance.

The group: alice is the offerer; bob, chloe, dan and eve are the contributors; fac facilitates.
"""

import pytest

from bot.effects import Record, Say
from bot.formats import StepKind
from tests.conftest import FAC, goto, with_offerer

K = StepKind


@pytest.fixture(params=[K.CLARIFICATION, K.EXCHANGES], ids=["clarification", "exchanges"])
def step(request, h):
    with_offerer(h)
    goto(h, request.param)
    return request.param


def _floor_to(h, user):
    """Hand the floor to ``user`` and let them speak, then hand it back."""
    h.cmd(user, "hand")
    assert h.s.turns.speaker == user
    h.post(user, f"Ce que dit {user}")
    h.cmd(user, "done")


# -- whoever has spoken waits -----------------------------------------------------------------
def test_someone_who_has_spoken_waits_while_a_present_contributor_never_had_the_floor(h, step):
    _floor_to(h, "bob")
    h.cmd("bob", "hand")  # bob again, the floor is free: chloe, dan and eve never had it
    assert h.s.turns.speaker == "chloe"
    assert h.said("turns.offered", h.last)[0].mentions == ("chloe",)
    assert h.s.turns.queue == ["bob"]
    assert h.told("bob", "turns.after_everyone", h.last)


def test_the_floor_is_offered_to_each_who_never_had_it_before_it_comes_back(h, step):
    _floor_to(h, "bob")
    h.cmd("bob", "hand")
    speakers = []
    for _ in range(3):  # chloe, dan and eve are offered the floor in turn; each passes
        speakers.append(h.s.turns.speaker)
        h.cmd(h.s.turns.speaker, "pass")
    assert speakers == ["chloe", "dan", "eve"]
    assert h.s.turns.speaker == "bob"


def test_typing_while_the_floor_is_free_does_not_jump_the_queue(h, step):
    _floor_to(h, "bob")
    h.post("bob", "Et encore une chose")  # the floor is free, but chloe, dan, eve wait for it
    assert h.s.turns.speaker == "chloe"
    assert h.s.turns.queue == ["bob"]
    assert h.told("bob", "turns.after_everyone", h.last)
    kept = h.s.questions if step is K.CLARIFICATION else h.s.contributions
    assert [e.text for e in kept][-1] == "Et encore une chose"  # kept, not lost


def test_a_contributor_who_never_spoke_takes_the_free_floor_by_writing(h, step):
    _floor_to(h, "bob")
    h.post("dan", "Une question pour toi")
    assert h.s.turns.speaker == "dan"
    assert h.s.turns.queue == []


def test_once_everyone_had_the_chance_anyone_may_speak_again(h, step):
    for person in ("bob", "chloe", "dan", "eve"):
        _floor_to(h, person)
    h.post("bob", "Je rebondis")
    assert h.s.turns.speaker == "bob"


def test_a_contributor_who_left_is_not_waited_for(h, step):
    for person in ("bob", "chloe", "dan"):
        _floor_to(h, person)
    h.leave_room("eve")
    h.cmd("bob", "hand")
    assert h.s.turns.speaker == "bob"


def test_a_latecomer_is_offered_the_floor_before_those_who_have_spoken(h, step):
    for person in ("bob", "chloe", "dan", "eve"):
        _floor_to(h, person)
    h.cmd("zoe", "join")
    h.cmd("bob", "hand")
    assert h.s.turns.speaker == "zoe"


def test_a_second_round_puts_those_who_spoke_less_first(h, step):
    for person in ("bob", "chloe", "dan", "eve"):
        _floor_to(h, person)
    _floor_to(h, "bob")  # bob has spoken twice
    h.cmd("dan", "hand")
    h.cmd("bob", "hand")
    h.cmd("chloe", "hand")
    assert h.s.turns.speaker == "dan"
    assert h.s.turns.queue == ["chloe", "bob"]


# -- passing --------------------------------------------------------------------------------
def test_the_facilitator_passes_the_turn_of_a_silent_speaker_privately(h, step):
    h.cmd("bob", "hand")
    h.cmd("chloe", "hand")
    effects = h.dm(FAC, "passer")
    assert h.s.turns.speaker == "chloe"
    assert h.said("turns.passed_for", effects)
    assert h.told(FAC, "turns.passed_for_done", effects)


def test_the_facilitator_passes_the_turn_from_the_room(h, step):
    h.cmd("bob", "hand")
    h.cmd(FAC, "passe")
    assert h.s.turns.speaker is None
    assert h.said("turns.passed_for", h.last)


def test_a_contributor_cannot_pass_someone_elses_turn(h, step):
    h.cmd("bob", "hand")
    h.cmd("chloe", "passe")
    assert h.s.turns.speaker == "bob"
    assert h.told("chloe", "refusal.not_your_turn", h.last)


def test_passing_with_nobody_on_the_floor_is_explained(h, step):
    h.dm(FAC, "passer")
    assert h.told(FAC, "refusal.nobody_has_floor", h.last)


def test_a_speaker_hands_back_the_floor_early(h, step):
    h.cmd("bob", "hand")
    h.cmd("chloe", "hand")
    h.cmd("bob", "fini")
    assert h.s.turns.speaker == "chloe"
    assert not [t for t in h.timers(h.last) if t.name == "turn" and t.at > h.clock.now + 180]


def test_an_offered_turn_that_nobody_takes_runs_out_and_counts_as_a_chance(h, step):
    _floor_to(h, "bob")
    h.cmd("bob", "hand")
    assert h.s.turns.speaker == "chloe"
    minutes = h.s.step.turn_minutes
    h.advance(minutes * 60 + 0.01)  # chloe says nothing
    assert h.s.turns.speaker == "dan"
    assert h.s.turns.spoken["chloe"] == 1


# -- rebounds and the offerer's notes during the exchanges -------------------------------------
def test_private_messages_during_the_exchanges_are_still_rebounds(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    effects = h.dm("bob", "Je me souviens d'un cas semblable en 2019")
    assert [(r.author, r.text) for r in h.s.rebounds] == [
        ("bob", "Je me souviens d'un cas semblable en 2019")
    ]
    assert h.told("bob", "exchanges.rebound_noted", effects)
    assert not [e for e in effects if isinstance(e, Say)]  # private stays private
    assert h.s.contributions == []


def test_a_rebound_sent_privately_does_not_take_the_floor(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.dm("bob", "Une note pour moi")
    assert h.s.turns.speaker is None


def test_the_offerers_notes_are_handed_back_at_the_harvest(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.post("alice", "Idée : demander au CA")
    h.dm("alice", "Appeler Sophie")
    assert [n.text for n in h.s.offerer_notes] == ["Idée : demander au CA", "Appeler Sophie"]
    assert h.s.contributions == []
    kept = [e for e in h.effects if isinstance(e, Record) and e.kind == "offerer_note"]
    assert len(kept) == 2  # stored before acknowledged
    effects = h.dm(FAC, "next")
    assert h.s.kind is K.HARVEST
    handed = h.told("alice", "harvest.your_notes", effects)
    assert handed and "Appeler Sophie" in handed[0].body
    assert "Idée : demander au CA" in handed[0].body


def test_no_notes_means_nothing_is_sent_at_the_harvest(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    effects = h.dm(FAC, "next")
    assert not h.told("alice", "harvest.your_notes", effects)


def test_the_offerers_private_message_during_the_exchanges_is_acknowledged_as_a_note(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    effects = h.dm("alice", "Penser au budget")
    assert h.told("alice", "exchanges.note_kept", effects)
    assert h.s.rebounds == []
