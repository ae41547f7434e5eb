"""The vote: 3 votes per participant, at most 2 on one problem, live reactions, ties."""

from conftest import FAC, at_choice

from bot.formats import StepKind
from bot.state import Vote


def tied_1_and_2(h):
    """The choice step, with problems 1 and 2 at two votes each."""
    at_choice(h)
    h.cmd("alice", "vote 1 1")
    h.cmd("bob", "vote 2 2")
    return h


def _total(votes: list[Vote], voter: str) -> int:
    return sum(v.weight for v in votes if v.voter == voter)


def test_two_reaction_counts_two_votes_on_that_problem(h):
    at_choice(h)
    h.react("alice", "card:2@0", "two")
    assert [(v.number, v.weight) for v in h.s.votes] == [(2, 2)]
    assert h.told("alice", "vote.counted")


def test_second_vote_on_same_problem_is_refused_when_limit_reached(h):
    at_choice(h)
    h.react("alice", "card:2@0", "two")
    h.react("alice", "card:2@0", "one")
    assert _total(h.s.votes, "alice") == 2
    assert h.told("alice", "vote.refused_problem")


def test_fourth_vote_is_refused_privately_and_not_counted(h):
    at_choice(h)
    h.react("alice", "card:1@0", "two")
    h.react("alice", "card:2@0", "one")
    h.react("alice", "card:3@0", "one")
    assert _total(h.s.votes, "alice") == 3
    assert h.told("alice", "vote.refused_total")
    assert not h.said("vote.refused_total")  # never in the room


def test_voting_for_ones_own_problem_is_allowed(h):
    at_choice(h)
    h.react("alice", "card:1@0", "two")  # problem 1 is Alice's
    assert _total(h.s.votes, "alice") == 2


def test_removing_a_reaction_removes_its_votes(h):
    at_choice(h)
    h.react("bob", "card:3@0", "two")
    h.unreact("bob", "card:3@0", "two")
    assert h.s.votes == []
    assert h.told("bob", "vote.removed")


def test_removing_a_refused_reaction_changes_nothing(h):
    at_choice(h)
    h.react("bob", "card:3@0", "two")
    h.react("bob", "card:3@0", "one")  # refused
    h.unreact("bob", "card:3@0", "one")
    assert _total(h.s.votes, "bob") == 2


def test_freed_vote_can_be_used_elsewhere_after_removal(h):
    at_choice(h)
    h.react("bob", "card:1@0", "two")
    h.react("bob", "card:2@0", "one")
    h.unreact("bob", "card:1@0", "two")
    h.react("bob", "card:3@0", "two")
    assert {(v.number, v.weight) for v in h.s.votes} == {(2, 1), (3, 2)}


def test_thumbs_up_counts_as_one_vote(h):
    at_choice(h)
    h.react("dan", "card:4@0", "thumbsup")
    assert _total(h.s.votes, "dan") == 1


def test_text_vote_replaces_previous_votes(h):
    at_choice(h)
    h.react("chloe", "card:1@0", "two")
    h.cmd("chloe", "vote 2 2 5")
    mine = sorted((v.number, v.weight) for v in h.s.votes if v.voter == "chloe")
    assert mine == [(2, 1), (2, 1), (5, 1)]


def test_text_vote_over_the_limits_is_refused_and_keeps_previous_votes(h):
    at_choice(h)
    h.cmd("chloe", "vote 1")
    h.cmd("chloe", "vote 2 2 2")
    assert [(v.number) for v in h.s.votes if v.voter == "chloe"] == [1]
    assert h.told("chloe", "vote.refused_problem")
    h.cmd("chloe", "vote 1 2 3 4")
    assert h.told("chloe", "vote.too_many")


def test_text_vote_for_unknown_problem_is_refused(h):
    at_choice(h)
    h.cmd("chloe", "vote 9")
    assert h.told("chloe", "vote.unknown_problem")
    assert h.s.votes == []


def test_facilitator_does_not_vote(h):
    at_choice(h)
    h.react(FAC, "card:1@0", "one")
    assert h.s.votes == []
    assert h.told(FAC, "vote.facilitator_does_not_vote")


def test_vote_outside_choice_step_is_refused(h):
    at_choice(h)
    h.dm(FAC, "back")
    h.dm(FAC, "back")
    assert h.s.kind is StepKind.PROBLEM_SEARCH
    h.cmd("alice", "vote 1")
    assert h.told("alice", "refusal.not_now")


def test_most_voted_problem_is_chosen_at_the_deadline(h):
    at_choice(h)
    h.cmd("alice", "vote 3 3 1")
    h.cmd("bob", "vote 3")
    h.run_out_step()
    assert h.s.kind is StepKind.CONSENT
    assert h.s.chosen == 3


def test_tie_is_announced_and_facilitator_is_asked(h):
    tied_1_and_2(h)
    h.dm(FAC, "next")
    assert h.s.kind is StepKind.CHOICE
    assert h.s.tie is not None and h.s.tie.numbers == [1, 2]
    assert h.told(FAC, "tie.facilitator")


def test_facilitator_settles_a_tie_by_choosing(h):
    tied_1_and_2(h)
    h.dm(FAC, "next")
    h.dm(FAC, "choose 2")
    assert h.s.kind is StepKind.CONSENT
    assert h.s.chosen == 2


def test_facilitator_cannot_choose_a_problem_outside_the_tie(h):
    tied_1_and_2(h)
    h.dm(FAC, "next")
    h.dm(FAC, "choose 4")
    assert h.told(FAC, "tie.pick_among")
    assert h.s.kind is StepKind.CHOICE


def test_unsettled_tie_leads_to_a_revote_among_the_tied_problems(h):
    tied_1_and_2(h)
    h.run_out_step()  # the tie is found
    h.run_out_step()  # the facilitator did not settle it
    assert h.s.vote_round == 1
    assert h.s.candidates == [1, 2]
    assert len(h.said("choice.card")) == 2
    h.react("chloe", "card:2@1", "one")
    h.react("chloe", "card:4@1", "one")  # not among the tied problems: not counted
    h.run_out_step()
    assert h.s.kind is StepKind.CONSENT
    assert h.s.chosen == 2


def test_reaction_on_a_card_of_an_earlier_round_is_not_counted(h):
    tied_1_and_2(h)
    h.run_out_step()
    h.run_out_step()
    h.react("chloe", "card:1@0", "one")
    assert [v for v in h.s.votes if v.voter == "chloe"] == []
    assert h.told("chloe", "vote.closed")


def test_second_tie_after_revote_takes_first_presented_problem(h):
    tied_1_and_2(h)
    h.run_out_step()
    h.run_out_step()
    h.run_out_step()  # re-vote ends in a tie again (no votes)
    h.run_out_step()  # facilitator silent again
    assert h.s.kind is StepKind.CONSENT
    assert h.s.chosen == 1


def test_leaving_participant_votes_are_removed(h):
    at_choice(h)
    h.cmd("bob", "vote 2 2")
    h.cmd("bob", "leave")
    assert h.s.votes == []
    assert "bob" not in h.s.participants
