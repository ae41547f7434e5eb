"""Cycles (issue 16 §3), as the engine sees them: on equal votes the person who has not yet
offered a situation in the room goes first, the usual tie rule applies among the rest; a
problem not chosen may be carried to the next session, where only its author sees it until
they confirm it."""

from conftest import FAC, at_choice, at_problem_search, goto, started, with_offerer

from bot.effects import Carry, CycleQuery, Offered, Say
from bot.engine import Engine, EngineSettings
from bot.events import CycleFound
from bot.formats import StepKind, load_formats
from bot.testing import EngineHarness


def _remembers(h: EngineHarness, offerers: tuple[str, ...] = (), carried=()) -> None:  # type: ignore[no-untyped-def]
    """The runtime's answer to the atelier's question about its room."""
    h.feed(CycleFound(room=h.room, atelier_id=h.s.id, offerers=offerers, carried=carried))


def _carries(h: EngineHarness) -> list[Carry]:
    return [e for e in h.last if isinstance(e, Carry)]


def test_a_new_atelier_asks_what_its_room_remembers(h: EngineHarness):
    """Starting an atelier asks the runtime for the room's offerers and carried problems."""
    h.cmd(FAC, "démarrer")
    assert [e for e in h.last if isinstance(e, CycleQuery)] == [
        CycleQuery(room=h.room, atelier_id=h.s.id)
    ]


def test_on_equal_votes_the_person_who_has_not_offered_yet_goes_first(h: EngineHarness):
    """Alice offered last time, Bob never did: their problems tie, Bob's is chosen, and the
    room is told why."""
    at_choice(h)
    _remembers(h, offerers=("alice",))
    h.cmd("chloe", "vote 1 2")
    h.dm(FAC, "next")
    assert h.s.chosen == 2 and h.s.kind is StepKind.CONSENT
    said = h.said("choice.result_newcomer")
    assert said and "pas encore offert" in said[0].body
    assert not h.said("tie.announce")


def test_among_several_who_have_not_offered_the_facilitator_settles_as_before(h: EngineHarness):
    """Three problems tie; two authors have not offered yet: the tie is between those two,
    and the facilitator may only pick one of them."""
    at_choice(h)
    _remembers(h, offerers=("alice",))
    h.cmd("dan", "vote 1 2 3")
    h.dm(FAC, "next")
    assert h.s.tie is not None and h.s.tie.numbers == [2, 3]
    assert "n° 2, n° 3" in h.said("tie.newcomers_first")[0].body
    h.dm(FAC, "choisir 1")
    assert h.told(FAC, "tie.pick_among") and h.s.tie is not None
    h.dm(FAC, "choisir 3")
    assert h.s.chosen == 3


def test_when_everyone_tied_has_offered_the_usual_rule_applies(h: EngineHarness):
    """Nobody new among the tied problems: the facilitator settles, as without cycles."""
    at_choice(h)
    _remembers(h, offerers=("alice", "bob"))
    h.cmd("chloe", "vote 1 2")
    h.dm(FAC, "next")
    assert h.s.tie is not None and h.s.tie.numbers == [1, 2]
    assert h.said("tie.announce") and not h.said("tie.newcomers_first")


def test_a_decline_passes_to_who_has_not_offered_among_equal_counts(h: EngineHarness):
    """Alice's problem wins and she declines; Bob (already offered) and Chloé tie next:
    Chloé is asked."""
    at_choice(h)
    _remembers(h, offerers=("bob",))
    h.cmd("dan", "vote 1 1 2")
    h.cmd("eve", "vote 3")
    h.dm(FAC, "next")
    assert h.s.chosen == 1
    h.cmd("alice", "non")
    assert h.s.chosen == 3


def test_the_end_of_an_atelier_remembers_its_offerer(h: EngineHarness):
    """When the atelier ends, the room remembers who offered the situation."""
    with_offerer(h)
    goto(h, StepKind.RECORD)
    h.cmd("alice", "non")  # she keeps the record for herself: the atelier ends
    assert h.state is not None and h.state.finished
    assert Offered(room=h.room, user="alice") in h.effects  # type: ignore[arg-type]


# -- carrying a problem --------------------------------------------------------------------------
def test_authors_of_problems_not_chosen_are_asked_privately_at_the_last_step(h: EngineHarness):
    """At the last step each author of a problem not chosen is asked, privately, and only them."""
    with_offerer(h)
    goto(h, StepKind.RECORD)
    asked = {e.user for e in h.last if getattr(e, "key", "") == "carry.ask"}
    assert asked == {"bob", "chloe", "dan", "eve"}
    assert "Le problème de bob" in h.told("bob", "carry.ask")[0].body
    assert not [e for e in h.last if isinstance(e, Say) and "Le problème de bob" in e.body]


def test_carry_keeps_the_problem_and_carry_no_takes_it_back(h: EngineHarness):
    """'reporter' keeps one's problem for the next session; 'reporter non' forgets it."""
    with_offerer(h)
    goto(h, StepKind.RECORD)
    h.dm("bob", "reporter")
    assert _carries(h) == [Carry(room=h.room, author="bob", text="Le problème de bob")]  # type: ignore[arg-type]
    assert h.told("bob", "carry.kept")
    h.dm("bob", "reporter non")
    assert _carries(h) == [Carry(room=h.room, author="bob")]  # type: ignore[arg-type]


def test_carry_before_being_asked_is_answered_and_changes_nothing(h: EngineHarness):
    """Too early, or for the chosen problem: a kind answer, nothing kept; 'aide' offers the
    command only to those asked."""
    with_offerer(h)
    h.cmd("bob", "reporter")
    assert h.told("bob", "carry.not_now") and not _carries(h)
    h.dm("bob", "aide")
    assert "reporter" not in h.told("bob", "help.body")[-1].body
    goto(h, StepKind.RECORD)
    h.cmd("alice", "reporter")  # her problem was chosen
    assert h.told("alice", "carry.not_now") and not _carries(h)
    h.dm("bob", "aide")
    assert "reporter" in h.told("bob", "help.body")[-1].body


def _carried_bob(h: EngineHarness, offerers: tuple[str, ...] = ()) -> None:
    started(h)
    _remembers(h, offerers, carried=(("bob", "Mon vieux problème 🌱 de l'été"),))
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")


def test_a_carried_problem_goes_to_its_author_only_until_they_say_yes(h: EngineHarness):
    """At the problem search only Bob is shown his carried problem; with his 'oui' it becomes
    his problem of this session."""
    _carried_bob(h)
    proposed = h.told("bob", "carry.proposed")
    assert proposed and "Mon vieux problème 🌱" in proposed[0].body
    assert not [e for e in h.effects if isinstance(e, Say) and "vieux problème" in e.body]
    assert not h.s.problems
    h.dm("bob", "oui")
    assert [(p.author, p.text) for p in h.s.problems] == [("bob", "Mon vieux problème 🌱 de l'été")]
    assert Carry(room=h.room, author="bob") in h.last  # type: ignore[arg-type]
    h.dm("bob", "oui")  # answered twice: nothing more
    assert len(h.s.problems) == 1 and h.told("bob", "carry.nothing_carried")


def test_yes_in_the_room_from_someone_with_nothing_carried_is_only_conversation(
    h: EngineHarness,
):
    """At the problem search, Alice's "oui" in the room (she carried nothing) gets no answer
    and changes nothing; Bob's carried problem still waits for him."""
    _carried_bob(h)
    h.post("alice", "oui")
    assert not h.last and not h.s.problems and "bob" in h.s.carried


def test_a_carried_problem_withdrawn_or_replaced_is_forgotten(h: EngineHarness):
    """'non' withdraws it; writing another problem replaces it: either way it is forgotten."""
    _carried_bob(h)
    h.dm("bob", "non")
    assert not h.s.problems and not h.s.carried
    assert h.told("bob", "carry.withdrawn")
    h2 = EngineHarness()
    _carried_bob(h2)
    h2.dm("bob", "Un tout autre problème, écrit aujourd'hui")
    assert [p.text for p in h2.s.problems] == ["Un tout autre problème, écrit aujourd'hui"]
    assert Carry(room=h2.room, author="bob") in h2.last  # type: ignore[arg-type]


def test_a_late_answer_about_the_room_still_proposes_the_carried_problem(h: EngineHarness):
    """The room's memory arrives once the problem search has begun: Bob is asked then."""
    at_problem_search(h)
    _remembers(h, carried=(("bob", "Reporté"),))
    assert h.told("bob", "carry.proposed")
    _remembers(h, carried=(("bob", "Reporté"),))  # a second answer changes nothing
    assert not h.told("bob", "carry.proposed")


def test_a_carried_problem_of_someone_absent_is_not_shown(h: EngineHarness):
    """Eve carried a problem but has not joined this session: nobody sees it."""
    started(h, ["alice", "bob"])
    _remembers(h, carried=(("eve", "Le problème d'Eve"),))
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")
    assert not [e for e in h.effects if "Le problème d'Eve" in getattr(e, "body", "")]


def test_forget_me_drops_the_carried_problem_and_the_past_offer(h: EngineHarness):
    """'oublie-moi' during the session: the carried problem and the offerer memory go."""
    _carried_bob(h, offerers=("bob",))
    assert "bob" in h.s.past_offerers
    h.dm("bob", "oublie-moi")
    assert "bob" not in h.s.carried and "bob" not in h.s.past_offerers


def test_the_carry_question_says_the_room_s_own_retention_period():
    """A room configured to keep private inputs 30 days says 30 days when it asks."""
    settings = EngineSettings(room_retention_days=(("!room:test", 30),))
    h = EngineHarness(engine=Engine(settings, load_formats()))
    with_offerer(h)
    goto(h, StepKind.RECORD)
    assert "30 jours" in h.told("bob", "carry.ask")[0].body
    h.dm("bob", "reporter")
    assert "30 jours" in h.told("bob", "carry.kept")[0].body
