"""Any group size, any order of arrival, and no dead end when every author declines."""

from conftest import FAC, at_choice, goto, started, with_offerer

from bot.formats import StepKind
from bot.testing import EngineHarness

K = StepKind


# -- latecomers --------------------------------------------------------------------------------
def test_a_latecomer_after_the_problem_search_joins_as_a_contributor(h):
    at_choice(h)
    h.cmd("zoé", "rejoindre")
    assert "zoé" in h.s.participants
    assert h.told("zoé", "join.latecomer")
    assert h.s.problem_of("zoé") is None
    h.cmd("alice", "vote 1 1")
    h.dm(FAC, "suivant")
    h.cmd("alice", "oui")
    assert "zoé" in h.s.contributors


def test_a_latecomer_cannot_bring_a_problem_once_the_search_is_over(h):
    at_choice(h)
    h.cmd("zoé", "rejoindre")
    h.cmd("zoé", "problème Le mien")
    assert h.s.problem_of("zoé") is None
    assert h.told("zoé", "refusal.not_now")


def test_joining_once_the_exchanges_are_over_is_kindly_refused(h):
    with_offerer(h)
    goto(h, K.HARVEST)
    h.cmd("zoé", "rejoindre")
    assert "zoé" not in h.s.participants
    assert h.told("zoé", "join.too_late")


def test_someone_who_left_and_comes_back_is_a_participant_again(h):
    with_offerer(h)
    h.cmd("bob", "quitter")
    h.cmd("bob", "rejoindre")
    assert "bob" in h.s.participants
    assert "bob" not in h.s.departed


# -- the size of the group ---------------------------------------------------------------------
def test_a_group_of_two_hears_it_at_the_end_of_the_welcome_and_the_facilitator_gets_choices(h):
    started(h, ["alice", "bob"])
    h.dm(FAC, "suivant")
    assert "2" in h.said("group.small")[0].body
    assert "prolonger" in h.told(FAC, "group.small_choices")[0].body


def test_a_group_larger_than_the_kit_hears_it_at_the_end_of_the_welcome(h):
    started(h, [f"p{n}" for n in range(10)])
    h.dm(FAC, "suivant")
    assert "10" in h.said("group.large")[0].body
    assert h.told(FAC, "group.large_choices")


def test_a_group_of_the_kits_size_gets_no_warning(h):
    started(h)
    effects = h.dm(FAC, "suivant")
    assert not [k for k in h.keys(effects) if k.startswith("group.")]


def test_the_facilitator_hears_when_a_latecomer_makes_the_group_too_large(h):
    started(h, [f"p{n}" for n in range(8)])
    h.dm(FAC, "suivant")
    h.cmd("late", "rejoindre")
    assert "9" in h.told(FAC, "group.large_now")[0].body


# -- every author declines ---------------------------------------------------------------------
def _everyone_declines(h: EngineHarness) -> None:
    at_choice(h)
    h.cmd("alice", "vote 1 1 2")
    h.dm(FAC, "suivant")
    while h.s.chosen is not None:
        author = h.s.problem(h.s.chosen)
        assert author is not None
        h.cmd(author.author, "non")
    assert h.told(FAC, "facilitator.nobody_left")


def test_when_every_author_declines_going_back_to_the_choice_is_a_fresh_vote_on_all(h):
    _everyone_declines(h)
    h.dm(FAC, "aller choix")
    assert h.s.kind is K.CHOICE
    assert h.s.declined == []
    assert sorted(h.s.candidates) == [1, 2, 3, 4, 5]
    cards = h.said("choice.card")
    assert len(cards) == 5 and all(card.ref and card.ref.endswith("@1") for card in cards)
    h.react("bob", "card:1@0", "two")  # a reaction to an old card counts no more
    assert h.s.current_votes == []
    h.cmd("bob", "vote 4 4")
    h.dm(FAC, "suivant")
    assert h.s.kind is K.CONSENT and h.s.chosen == 4
    h.cmd("dan", "oui")
    assert h.s.offerer == "dan"


def test_a_problem_rewritten_after_its_author_declined_it_is_a_new_problem(h):
    _everyone_declines(h)
    h.dm(FAC, "aller recherche")
    assert h.s.kind is K.PROBLEM_SEARCH
    h.dm("alice", "Le même sujet, vu autrement")
    rewritten = h.s.problem_of("alice")
    assert rewritten is not None and rewritten.number == 6
    assert h.s.problem(1) is None
    h.dm(FAC, "suivant")  # to the sharing
    while h.s.kind is K.PROBLEM_SHARING:
        h.cmd(h.s.turns.speaker or "", "fini")
    assert h.s.kind is K.CHOICE
    assert h.s.candidates == [6]  # the others were declined and not rewritten
    h.cmd("bob", "vote 6")
    h.dm(FAC, "suivant")
    assert h.s.chosen == 6
    h.cmd("alice", "oui")
    assert h.s.offerer == "alice"


def test_a_tie_in_a_second_vote_still_gets_its_re_vote(h):
    _everyone_declines(h)
    h.dm(FAC, "aller choix")
    h.cmd("bob", "vote 2 3")
    h.dm(FAC, "suivant")
    assert h.s.tie is not None
    h.run_out_step()  # the facilitator did not settle it: a re-vote between the two
    assert h.said("tie.revote", h.last)
