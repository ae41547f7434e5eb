"""What the bot says is true and says what to do: each message of the texts review, run.

Numbers as every text writes them ("n° 2"), plurals that read right, the same time not printed
twice, a refusal that says what to do instead, welcome and goodbye said to the right person,
and what happens to people's words told as it is.
"""

import re
from importlib import resources

from conftest import FAC, at_choice, at_problem_search, goto, started, with_offerer

from bot.formats import StepKind
from bot.texts import catalogue

K = StepKind


def _times(text: str) -> list[str]:
    return re.findall(r"\b\d{1,2}:\d{2}\b", text)


# -- votes -------------------------------------------------------------------------------------
def test_three_typed_votes_on_one_problem_do_not_say_you_already_have_none(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2 2")
    (told,) = h.told("alice", "vote.refused_problem")
    assert "0" not in told.body and "n° 2" in told.body


def test_four_typed_votes_are_answered_with_the_syntax_not_with_reactions(h):
    at_choice(h)
    h.cmd("alice", "vote 1 2 3 1")
    told = [e for e in h.last if getattr(e, "user", None) == "alice"]
    assert len(told) == 1
    assert "réaction" not in told[0].body
    assert "`!atelier vote 2 2 5`" in told[0].body
    assert h.s.votes == []


def test_votes_are_numbered_as_every_text_numbers_them(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2 5")
    (told,) = h.told("alice", "vote.counted")
    assert "#" not in told.body
    assert "n° 2 (×2)" in told.body and "n° 5" in told.body


def test_a_tie_names_the_problems_by_their_number(h):
    at_choice(h)
    h.cmd("alice", "vote 1")
    h.cmd("bob", "vote 3")
    h.dm(FAC, "next")
    (announce,) = h.said("tie.announce")
    assert "#" not in announce.body and "n° 1" in announce.body and "n° 3" in announce.body
    (private,) = h.told(FAC, "tie.facilitator")
    assert "#" not in private.body


def test_one_vote_is_not_written_as_votes_in_the_plural(h):
    at_choice(h)
    h.cmd("alice", "vote 2")
    h.dm(FAC, "next")
    (result,) = h.said("choice.result")
    assert "1 votes" not in result.body
    assert "n° 2" in result.body


# -- start -------------------------------------------------------------------------------------
def test_without_an_announced_end_the_planned_end_is_said_once(h):
    h.cmd(FAC, "démarrer")
    (planned,) = h.said("start.planned_only") or h.said("start.planned")
    assert len(_times(planned.body)) == 1


def test_with_an_announced_end_both_times_are_said(h):
    h.cmd(FAC, "démarrer --fin 16h30")
    (planned,) = h.said("start.planned")
    assert "16:30" in planned.body and len(set(_times(planned.body))) == 2


def test_an_unknown_format_hints_at_the_end_time_option(h):
    h.cmd(FAC, "démarrer demain")
    (answer,) = h.said("start.unknown_format")
    assert "--fin 16h30" in answer.body


# -- joining and leaving -----------------------------------------------------------------------
def test_the_welcome_greets_one_person_and_counts_the_group_apart(h):
    started(h, ["alice", "bob", "chloe"])
    (welcome,) = h.said("join.welcome")
    assert "Chloe" in welcome.body and "3" in welcome.body
    assert "Vous êtes" not in welcome.body and "(s)" not in welcome.body


def test_the_goodbye_thanks_the_person_who_left_not_the_group(h):
    started(h)
    h.cmd("bob", "quitter")
    (goodbye,) = h.said("leave.goodbye")
    assert "Bob" in goodbye.body and "votre" not in goodbye.body


# -- refusals say what to do instead -----------------------------------------------------------
def test_only_a_moderator_is_told_about_taking_over_the_facilitation(h):
    started(h)
    h.cmd("alice", "suivant")
    (plain,) = h.told("alice", "refusal.only_facilitator")
    assert "faciliter" not in plain.body and "Fac" in plain.body
    h.post("bob", "!atelier suivant", moderator=True)
    told = [e for e in h.last if getattr(e, "user", None) == "bob"]
    assert len(told) == 1 and "`!atelier faciliter`" in told[0].body


def test_a_command_too_early_is_shown_as_typed_and_says_when(h):
    started(h)
    h.cmd("alice", "vote 1")
    (told,) = h.told("alice", "refusal.not_now")
    assert "`!atelier voter`" in told.body and "Choix de la problématique" in told.body


def test_done_without_the_floor_says_how_to_ask_for_it(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.cmd("bob", "main")
    h.cmd("chloe", "fini")
    told = [e for e in h.last if getattr(e, "user", None) == "chloe"]
    assert len(told) == 1 and "`!atelier main`" in told[0].body


def test_someone_not_registered_is_told_how_to_join(h):
    at_choice(h)
    h.cmd("zoe", "vote 1")
    (told,) = h.told("zoe", "refusal.not_participant")
    assert "`!atelier rejoindre`" in told.body


def test_the_offerer_refused_the_floor_is_told_where_their_notes_go(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("alice", "main")
    (told,) = h.told("alice", "refusal.offerer_listens")
    assert "privé" in told.body


# -- the floor: examples typed in the room carry the prefix ------------------------------------
def test_the_speaker_reminded_they_have_the_floor_is_shown_the_prefixed_done(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.cmd("bob", "main")
    h.cmd("bob", "main")
    (told,) = h.said("turns.you_have_floor") or h.told("bob", "turns.you_have_floor")
    assert "`!atelier fini`" in told.body


def test_someone_writing_without_the_floor_is_shown_the_prefixed_hand(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.cmd("bob", "main")
    h.post("chloe", "Depuis quand ?")
    (told,) = h.told("chloe", "turns.please_wait")
    assert "`!atelier main`" in told.body


# -- the harvest -------------------------------------------------------------------------------
def test_keeping_ideas_when_none_was_noted_says_so_plainly(h):
    with_offerer(h)
    goto(h, K.HARVEST)
    h.cmd("alice", "garder 1")
    told = [e for e in h.last if getattr(e, "user", None) == "alice" or hasattr(e, "body")]
    bodies = " ".join(e.body for e in told)
    assert "1 à 0" not in bodies
    assert h.keys(h.last) == ["harvest.no_contributions"]


# -- what happens to people's words (issue 11, point 5) ----------------------------------------
def test_the_problem_invitation_says_it_will_be_shown_with_the_name(h):
    at_problem_search(h)
    h.cmd("zoe", "rejoindre")
    (invite,) = h.told("zoe", "problem.dm_invite")
    assert "avec votre nom" in invite.body


def test_rebonds_are_said_to_be_kept_not_shown_rather_than_private(h):
    with_offerer(h)
    effects = goto(h, K.REFLECTION).effects
    invites = [e for e in effects if getattr(e, "key", "") == "reflection.dm_invite"]
    assert invites
    assert "restent privées" not in invites[-1].body
    assert "pas montré" in invites[-1].body
    h.dm("bob", "J'ai vécu ça en 2019")
    (noted,) = h.told("bob", "reflection.noted")
    assert "privé" not in noted.body


def test_the_record_step_says_questions_and_contributions_are_in_it_with_names(h):
    with_offerer(h)
    goto(h, K.RECORD)
    (howto,) = [e for e in h.effects if getattr(e, "key", "") == "howto.record"]
    for words in ("questions", "contributions", "nom"):
        assert words in howto.body


def test_the_chosen_author_is_told_a_no_needs_no_reason_and_how_to_answer(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2")
    h.dm(FAC, "next")
    (ask,) = h.said("consent.ask")
    assert "sans vous justifier" in ask.body
    assert "`!atelier oui`" in ask.body and "après la commande" not in ask.body


# -- the catalogues ----------------------------------------------------------------------------
def _shipped(lang: str) -> str:
    return (resources.files("bot") / "data" / "texts" / f"{lang}.toml").read_text(encoding="utf-8")


def test_french_texts_are_inclusive_the_kits_way_without_a_point_median():
    """Neutral phrasing ("la personne qui facilite") and doublets: screen readers read "·" badly."""
    text = _shipped("fr")
    found = [line for line in text.splitlines() if "·" in line or "•" in line]
    assert found == []
    for word in ("offreur", "contributeur", "participant·", "facilitateur", "chacun·e"):
        assert word not in text.lower(), word


#: French words, and calques of them, that an English reader should never meet
FRENCH = (
    "atelier",
    "offreur",
    "offerer",
    "rebond",
    "rebound",
    "facilitat·",
    "contributeur",
    "problématique",
    "déroulé",
    "salon",
    "règle",
    "ressenti",
    "récolte",
    "trace écrite",
    "hot feedback",
    "·",
)
ACCENTS = set("àâçéèêëîïôûùüÿœæ«»")


def test_english_texts_read_as_english():
    texts = catalogue("en")
    found = []
    for key, text in texts.items():
        words = re.sub(r"\{[a-z_]+\}", "", text).lower()  # placeholder names are code
        found += [(key, word) for word in FRENCH if word in words]
        found += [(key, char) for char in ACCENTS if char in words]
    assert found == []
    assert "workshop" in texts["atelier.finished"] and "case presenter" in texts["roles.offerer"]


def test_french_texts_keep_a_narrow_no_break_space_before_high_punctuation():
    """« : ; ? ! » never start a line in a narrow chat window; `code` to copy is left as typed."""
    loose = []
    for key, text in catalogue("fr").items():
        prose = "".join(text.split("`")[::2])  # outside `code`
        if re.search(r"[ \u00a0][:;?!»]|«[ \u00a0]", prose):
            loose.append(key)
    assert loose == []
    assert "\u202f:" in catalogue("fr")["start.planned"]
