"""The record is shared only with the consent of everyone whose words or presence are in it.

Kit step 18: the offerer condenses the notes, and they are shared if everyone is OK.
"""

from conftest import FAC, PEOPLE, goto, with_offerer

from bot.effects import Record
from bot.formats import StepKind
from bot.testing import EngineHarness

K = StepKind
OTHERS = PEOPLE[1:]  # alice is the offerer


def _words(h: EngineHarness) -> None:
    """Alice's request, a question of bob, contributions of chloe and dan, one kept."""
    goto(h, K.CLARIFICATION)
    h.post("bob", "Question de Bob : depuis quand ?")
    goto(h, K.REFORMULATION)
    h.cmd("alice", "demande J'aimerais que le groupe m'aide à recruter")
    goto(h, K.EXCHANGES)
    h.cmd("chloe", "main")
    h.post("chloe", "Idée de Chloé : un forum")
    h.cmd("chloe", "fini")
    h.cmd("dan", "main")
    h.post("dan", "Idée de Dan : une affiche")
    h.cmd("dan", "fini")
    goto(h, K.HARVEST)
    h.cmd("alice", "garder 1")


def at_round(h: EngineHarness) -> EngineHarness:
    """The offerer has validated the draft: everyone is asked."""
    with_offerer(h)
    _words(h)
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    assert h.s.record_asked
    return h


def shared(h: EngineHarness) -> str | None:
    found = h.said("record.shared", h.effects)
    return found[0].body if found else None


# -- the offerer reviews the draft first -------------------------------------------------------
def test_the_draft_goes_to_the_offerer_before_anyone_is_asked(h):
    with_offerer(h)
    _words(h)
    goto(h, K.RECORD)
    draft = h.told("alice", "record.draft")
    assert draft and "Idée de Chloé : un forum" in draft[0].body
    assert not [e for e in h.last if getattr(e, "ref", None) == "record_consent"]
    assert not any(h.told(p, "record.preview") for p in OTHERS)


def test_an_answer_before_the_offerer_validated_is_kindly_deferred(h):
    with_offerer(h)
    goto(h, K.RECORD)
    h.cmd("bob", "oui")
    assert h.told("bob", "record.wait_draft")
    assert "bob" not in h.s.record_consent


def test_the_offerer_may_correct_their_request_and_gets_the_new_draft(h):
    with_offerer(h)
    goto(h, K.REFORMULATION)
    h.cmd("alice", "demande Aidez-moi à recrter")
    request_id = h.s.request_message_id
    goto(h, K.RECORD)
    h.edit("alice", request_id, "!atelier demande Aidez-moi à recruter")
    assert "recruter" in h.told("alice", "record.draft_again")[0].body
    h.dm("alice", "oui")
    assert all("Aidez-moi à recruter" in h.told(p, "record.preview")[0].body for p in OTHERS)


def test_the_offerer_may_keep_the_record_for_themselves(h):
    with_offerer(h)
    goto(h, K.RECORD)
    h.dm("alice", "non")
    assert shared(h) is None
    assert h.told("alice", "record.private_copy")
    assert not any(h.told(p, "record.preview", h.effects) for p in OTHERS)
    assert h.s.finished


# -- people see what they consent to -----------------------------------------------------------
def test_everyone_asked_receives_the_exact_text_that_would_be_shared(h):
    at_round(h)
    previews = {p: h.told(p, "record.preview")[0].body for p in OTHERS}
    for person in OTHERS:
        h.react(person, "record_consent", "yes")
    text = shared(h)
    assert text is not None
    body = text.split("\n\n", 1)[1]
    assert all(preview.endswith(body) for preview in previews.values())


def test_an_edit_after_the_round_opened_does_not_change_the_record(h):
    at_round(h)
    chloe_id = next(c.message_id for c in h.s.contributions if c.author == "chloe")
    h.edit("chloe", chloe_id, "Tout autre chose")
    assert h.told("chloe", "record.edit_frozen")
    for person in OTHERS:
        h.cmd(person, "oui")
    text = shared(h)
    assert text is not None and "Idée de Chloé : un forum" in text
    assert "Tout autre chose" not in text


# -- a no stands; leaving is never a yes -------------------------------------------------------
def test_a_no_stands_when_the_person_who_said_it_leaves(h):
    at_round(h)
    h.cmd("bob", "non")
    h.leave_room("bob")
    for person in ("chloe", "dan", "eve"):
        h.react(person, "record_consent", "yes")
    assert shared(h) is None
    h.run_out_step()
    assert shared(h) is None
    assert h.told("alice", "record.private_copy", h.effects)


def test_the_departure_of_the_last_one_to_answer_does_not_publish_the_record(h):
    at_round(h)
    for person in ("bob", "chloe", "dan"):
        h.react(person, "record_consent", "yes")
    h.cmd("eve", "quitter")
    assert shared(h) is None
    assert h.s.kind is K.RECORD and not h.s.finished


def test_someone_who_left_before_the_question_is_asked_privately_and_may_answer(h):
    with_offerer(h)
    _words(h)
    h.cmd("dan", "quitter")
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    assert "Idée de Dan : une affiche" in h.told("dan", "record.preview_departed")[0].body
    for person in ("bob", "chloe", "eve"):
        h.cmd(person, "oui")
    assert shared(h) is None  # dan's yes is missing
    h.dm("dan", "oui")
    assert shared(h) is not None


def test_without_the_yes_of_someone_whose_words_appear_the_record_is_not_shared(h):
    with_offerer(h)
    _words(h)
    h.cmd("dan", "quitter")
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    for person in ("bob", "chloe", "eve"):
        h.cmd(person, "oui")
    h.run_out_step()
    waiting = h.told(FAC, "facilitator.record_waiting")
    assert waiting and "Dan" in waiting[0].body
    assert h.s.kind is K.RECORD  # the facilitator decides; a missing answer is no yes
    h.dm(FAC, "suivant")
    assert shared(h) is None
    assert h.told("alice", "record.private_copy")


def test_the_facilitator_may_share_without_the_passages_of_those_who_did_not_agree(h):
    at_round(h)
    h.dm(FAC, "masquer")
    assert h.said("record.partial_room")
    h.cmd("chloe", "non")
    for person in ("bob", "dan", "eve"):
        h.cmd(person, "oui")
    h.dm(FAC, "suivant")
    text = shared(h)
    assert text is not None
    assert "Idée de Chloé" not in text and "Chloe" not in text
    assert "passage non partagé" in text
    assert "Idée de Dan : une affiche" in text


# -- changing one's mind -----------------------------------------------------------------------
def test_removing_the_yes_reaction_withdraws_consent(h):
    at_round(h)
    for person in ("bob", "chloe", "dan"):
        h.react(person, "record_consent", "yes")
    h.unreact("bob", "record_consent", "yes")
    assert h.told("bob", "record.consent_withdrawn")
    h.react("eve", "record_consent", "yes")
    assert shared(h) is None
    assert "bob" not in h.s.record_consent


def test_no_after_yes_withdraws_consent(h):
    at_round(h)
    h.cmd("bob", "oui")
    h.cmd("bob", "non")
    for person in ("chloe", "dan", "eve"):
        h.cmd(person, "oui")
    assert shared(h) is None
    assert h.s.record_consent["bob"] is False


def test_taking_back_an_old_reaction_does_not_undo_a_newer_answer(h):
    at_round(h)
    h.react("bob", "record_consent", "no")
    h.react("bob", "record_consent", "yes")
    h.unreact("bob", "record_consent", "no")
    assert h.s.record_consent["bob"] is True


# -- what stays when sharing is refused --------------------------------------------------------
def test_a_refused_record_is_not_kept_beyond_the_offerers_private_copy(h):
    at_round(h)
    h.cmd("bob", "non")
    for person in ("chloe", "dan", "eve"):
        h.cmd(person, "oui")
    h.dm(FAC, "suivant")
    kept = [e for e in h.effects if isinstance(e, Record) and e.kind == "record"]
    assert kept and kept[0].content == "" and kept[0].extra["shared"] == "no"
    assert not [e for e in h.effects if getattr(e, "key", "") == "record.shared"]


def test_someone_who_never_took_part_is_not_asked_and_cannot_answer(h):
    at_round(h)
    h.cmd("zoe", "oui")
    assert "zoe" not in h.s.record_consent


# -- the hot feedback's words are words too ----------------------------------------------------
def _with_feelings(h: EngineHarness) -> EngineHarness:
    with_offerer(h)
    _words(h)
    goto(h, K.HOT_FEEDBACK)
    h.cmd("eve", "ressenti 2 épuisée et seule")
    h.cmd("bob", "ressenti 5 soulagé")
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    return h


def test_a_partial_share_leaves_out_the_feeling_words_of_those_who_did_not_agree(h):
    _with_feelings(h)
    h.dm(FAC, "masquer")
    for person in ("bob", "chloe", "dan"):
        h.cmd(person, "oui")
    h.cmd("eve", "non")
    h.dm(FAC, "suivant")
    text = shared(h)
    assert text is not None
    assert "épuisée" not in text
    assert "soulagé" in text


def test_whoever_gave_feeling_words_is_asked_even_after_leaving(h):
    _with_feelings(h)
    assert "eve" in h.s.record_asked
    h.leave_room("eve")
    h.dm(FAC, "masquer")
    for person in ("bob", "chloe", "dan"):
        h.cmd(person, "oui")
    h.dm(FAC, "suivant")
    text = shared(h)
    assert text is not None and "épuisée" not in text


def test_when_only_people_who_left_have_not_answered_the_facilitator_knows_at_once(h):
    at_round(h)
    h.leave_room("eve")
    for person in ("bob", "chloe", "dan"):
        h.cmd(person, "oui")
    told = h.told(FAC, "facilitator.record_only_departed", h.effects)
    assert len(told) == 1 and "Eve" in told[0].body
    assert shared(h) is None  # and nothing is shared without her
