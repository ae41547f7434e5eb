"""Command words typed in the room without ``!atelier`` do what the person meant, where fit."""

from conftest import FAC, at_choice, goto, with_offerer

from bot.formats import StepKind

K = StepKind


def test_fini_typed_alone_by_the_speaker_ends_the_turn_and_is_not_a_question(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.cmd("bob", "main")
    h.cmd("chloe", "main")
    h.post("bob", "Fini !")
    assert h.s.turns.speaker == "chloe"
    assert h.s.questions == []


def test_main_typed_alone_asks_for_the_floor(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.post("bob", "main")
    assert h.s.turns.speaker == "bob"
    assert h.s.contributions == []


def test_fini_from_someone_without_the_floor_is_answered_privately_and_not_recorded(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("bob", "main")
    h.post("chloe", "fini")
    assert h.told("chloe", "refusal.not_your_turn", h.last)
    assert h.s.contributions == []
    assert h.s.turns.speaker == "bob"


def test_a_sentence_starting_with_a_command_word_stays_content(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.post("bob", "Main dans la main avec la mairie, on a avancé")
    assert [c.text for c in h.s.contributions] == ["Main dans la main avec la mairie, on a avancé"]


def test_the_offerers_no_answering_a_question_stays_an_answer(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.post("bob", "En as-tu parlé à ta cheffe ?")
    h.post("alice", "Non.")
    assert [a.text for a in h.s.answers] == ["Non."]


def test_oui_typed_alone_by_the_chosen_author_is_consent(h):
    at_choice(h)
    h.cmd("alice", "vote 1 1")
    h.dm(FAC, "next")
    assert h.s.kind is K.CONSENT
    h.post("alice", "oui")
    assert h.s.offerer == "alice"


def test_garder_typed_in_the_room_by_the_offerer_keeps_the_ideas(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    for person in ("bob", "chloe"):
        h.cmd(person, "main")
        h.post(person, f"Idée de {person}")
        h.cmd(person, "fini")
    goto(h, K.HARVEST)
    h.post("alice", "garder 1 2")
    assert h.s.kept == [1, 2]


def test_vote_typed_in_the_room_without_prefix_is_a_vote(h):
    at_choice(h)
    h.post("bob", "vote 2 2 5")
    ballot = sorted(n for v in h.s.current_votes if v.voter == "bob" for n in [v.number] * v.weight)
    assert ballot == [2, 2, 5]


def test_action_typed_in_the_room_without_prefix_is_one_action_without_the_word(h):
    with_offerer(h)
    goto(h, K.ACTION_PLAN)
    h.post("alice", "action Appeler la mairie")
    assert [a.text for a in h.s.actions] == ["Appeler la mairie"]


# -- the ground rules: a greeting is not a rule ------------------------------------------------
def _at_ground_rules(h):
    from conftest import started

    started(h)
    while h.s.kind is not K.GROUND_RULES:
        h.dm(FAC, "next")


def test_a_greeting_in_the_ground_rules_step_is_not_pinned_as_a_rule(h):
    _at_ground_rules(h)
    for greeting in ("Bonjour tout le monde !", "Salut Léa", "👋", "Coucou à toutes"):
        h.post("bob", greeting)
    assert h.s.rules == []
    assert h.told("bob", "rules.not_a_rule")


def test_a_rule_that_starts_with_a_greeting_is_still_a_rule(h):
    _at_ground_rules(h)
    h.post("bob", "Bonjour ! Je propose qu'on s'écoute sans s'interrompre")
    h.post("chloe", "Bienveillance")
    assert [r.author for r in h.s.rules] == ["bob", "chloe"]
