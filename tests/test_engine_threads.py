"""Threads: commands are answered where they were typed; an atelier may run in one thread."""

from conftest import FAC, PEOPLE, at_problem_search, started

from bot.effects import Say
from bot.formats import StepKind
from bot.testing import EngineHarness


def _room_says(h: EngineHarness) -> list[Say]:
    return [e for e in h.last if isinstance(e, Say)]


def test_start_with_thread_option_runs_every_step_in_the_thread_of_the_command(h):
    """``démarrer --fil``: the welcome, the steps and the timers' news go to one thread."""
    h.cmd(FAC, "démarrer --fil")
    root = h.last_message_id
    assert h.s.thread == root
    assert _room_says(h) and all(say.thread == root for say in _room_says(h))
    for person in PEOPLE:
        h.cmd(person, "rejoindre", thread=root)
    h.cmd(FAC, "suivant", thread=root)
    assert _room_says(h) and all(say.thread == root for say in _room_says(h))
    h.run_out_step()
    assert _room_says(h) and all(say.thread == root for say in _room_says(h))


def test_start_typed_inside_a_thread_runs_the_atelier_in_that_thread(h):
    """People who start in a thread expect the atelier there, option or not."""
    h.cmd(FAC, "start", thread="$root")
    assert h.s.thread == "$root"
    assert all(say.thread == "$root" for say in h.said("howto.welcome"))


def test_without_the_option_the_atelier_runs_in_the_room_itself(h):
    """No thread unless asked: the room stays the atelier's place."""
    started(h)
    assert h.s.thread is None
    assert all(say.thread is None for say in h.said("howto.welcome"))


def test_a_command_typed_in_a_side_thread_is_answered_in_that_thread(h):
    """The atelier runs in the room; ``état`` asked in a thread is answered in that thread."""
    started(h)
    h.cmd("alice", "état", thread="$side")
    answers = _room_says(h)
    assert answers and all(say.thread == "$side" for say in answers)


def test_a_refused_command_in_a_side_thread_changes_nothing_and_posts_nothing_elsewhere(h):
    started(h)
    before = h.s.model_dump(exclude={"refusals"})  # the flood rule counts answers given
    h.cmd("alice", "suivant", thread="$side")  # not the facilitator: told privately
    assert h.told("alice", "refusal.only_facilitator", h.last)
    assert all(say.thread == "$side" for say in _room_says(h))
    assert h.s.model_dump(exclude={"refusals"}) == before


def test_plain_replies_in_a_side_thread_are_conversation_not_input(h):
    """At the rules step, a reply in someone's thread is not taken as a rule."""
    started(h)
    while h.s.kind is not StepKind.GROUND_RULES:
        h.cmd(FAC, "suivant")
    h.post("alice", "On s'écoute sans s'interrompre", thread="$side")
    assert h.last == []
    assert not h.s.rules


def test_a_bare_step_word_in_a_side_thread_is_not_a_command(h):
    """``suivant`` said in a side conversation does not move the atelier on."""
    at_problem_search(h)
    kind = h.s.kind
    h.post(FAC, "suivant", thread="$side")
    assert h.last == [] and h.s.kind is kind


def test_plain_text_in_the_atelier_thread_is_input(h):
    """In the atelier's own thread, a rule written at the rules step counts, as in a room."""
    h.cmd(FAC, "démarrer --fil")
    root = h.last_message_id
    for person in PEOPLE:
        h.cmd(person, "rejoindre", thread=root)
    while h.s.kind is not StepKind.GROUND_RULES:
        h.cmd(FAC, "suivant", thread=root)
    h.post("alice", "On s'écoute sans s'interrompre", thread=root)
    h.post("bob", "Une autre conversation, à côté", thread="$side")
    assert [rule.author for rule in h.s.rules] == ["alice"]


def test_a_40_kb_message_in_a_side_thread_gets_no_refusal(h):
    """Long conversation in a thread is not an input that was too long."""
    started(h)
    h.post("alice", "é" * 40_000, thread="$side")
    assert h.last == []
