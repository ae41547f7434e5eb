"""Careless and hostile input (issue 15): nothing injected, nobody locked out or impersonated,
no flood of replies, nothing kept half."""

from conftest import FAC, PEOPLE, at_choice, at_problem_search, goto, started, with_offerer

from bot.engine import Engine
from bot.events import DirectMessage, MessagePosted, MessageRemoved, Undeliverable
from bot.flood import ANSWERED, WINDOW
from bot.formats import StepKind, load_formats
from bot.ids import EventId, MessageId, UserId
from bot.sizes import INPUT_MAX
from bot.start import EngineSettings
from bot.testing import EngineHarness


def _post_as(h: EngineHarness, user: str, name: str, text: str) -> None:
    h._ids += 1
    h.feed(
        MessagePosted(
            room=h.room,
            sender=UserId(user),
            sender_name=name,
            text=text,
            message_id=MessageId(f"$n{h._ids}"),
            event_id=EventId(f"en{h._ids}"),
        )
    )


# -- nothing the bot repeats becomes a ping or markup ------------------------------------------
def test_an_unknown_command_that_is_not_a_plain_word_is_not_quoted_back(h):
    started(h)
    words = ("@room", "@channel", "**gras**", "<img src=x>", "![x](http://x/y.png)")
    for n, word in enumerate(words):
        effects = h.cmd(f"p{n}", word)
        body = " ".join(getattr(e, "body", "") for e in effects)
        assert word not in body
        assert h.said("safety.unknown_command", effects)


def test_an_unknown_plain_word_is_still_quoted_to_help(h):
    started(h)
    h.cmd("alice", "bonjour")
    assert "bonjour" in h.said("command.unknown")[0].body


# -- a flood of bad commands gets one reply, and others are still answered --------------------
def test_three_hundred_bad_commands_get_three_replies_and_others_are_still_answered(h):
    started(h)
    for n in range(300):
        h.cmd("alice", f"zzz{n}")
    replies = [e for e in h.effects if getattr(e, "key", "").startswith("command.unknown")]
    assert len(replies) == ANSWERED
    h.cmd("bob", "zzz")
    assert h.said("command.unknown", h.last)
    h.cmd("alice", "aide")  # a good command is never held back
    assert h.told("alice", "help.body", h.last)


def test_after_the_window_a_bad_command_is_answered_again(h):
    started(h)
    for _ in range(ANSWERED + 1):
        h.cmd("alice", "zzz")
    assert not h.last
    h.clock.advance(WINDOW + 0.1)
    h.cmd("alice", "zzz")
    assert h.said("command.unknown", h.last)


def test_refusals_are_rate_limited_too_but_do_not_change_the_atelier(h):
    started(h)
    before = h.s.model_dump(exclude={"refusals"})
    for _ in range(50):
        h.cmd("alice", "suivant")  # only the facilitator steers
    refusals = [e for e in h.effects if getattr(e, "key", "") == "refusal.only_facilitator"]
    assert len(refusals) == ANSWERED
    assert h.s.model_dump(exclude={"refusals"}) == before


# -- sizes: over the cap, nothing is kept, the person is told what to do -----------------------
def test_a_40_kb_problem_is_not_kept_and_its_author_is_told_why(h):
    at_problem_search(h)
    h.dm("alice", "é" * 40_000)
    assert not h.s.problems
    told = h.told("alice", "safety.too_long")
    assert told and "40000" in told[0].body and str(INPUT_MAX) in told[0].body


def test_a_problem_of_exactly_the_cap_is_kept(h):
    at_problem_search(h)
    h.dm("alice", "a" * INPUT_MAX)
    assert len(h.s.problems[0].text) == INPUT_MAX


def test_an_edit_over_the_cap_leaves_the_earlier_text(h):
    at_problem_search(h)
    while h.s.kind is not StepKind.PROBLEM_SEARCH:
        h.dm(FAC, "next")
    h.dm(FAC, "aller règles")
    h.post("alice", "On s'écoute")
    rule = h.s.rules[0]
    assert rule.message_id is not None
    h.edit("alice", rule.message_id, "x" * (INPUT_MAX + 1))
    assert h.s.rules[0].text == "On s'écoute"
    assert h.told("alice", "safety.too_long")


# -- nobody steers from outside the room -------------------------------------------------------
def test_a_facilitator_who_left_the_room_no_longer_steers(h):
    started(h)
    step = h.s.step_index
    h.leave_room(FAC)
    h.dm(FAC, "suivant")
    assert h.s.step_index == step
    assert h.told(FAC, "safety.facilitator_away")


def test_a_moderator_takes_over_from_a_facilitator_who_left(h):
    started(h)
    h.leave_room(FAC)
    h.post("modo", "!atelier faciliter", moderator=True)
    assert h.s.facilitator == "modo"
    step = h.s.step_index
    h.dm("modo", "suivant")
    assert h.s.step_index == step + 1


def test_a_facilitator_who_comes_back_and_writes_in_the_room_steers_again(h):
    started(h)
    step = h.s.step_index
    h.leave_room(FAC)
    h.post(FAC, "Je suis de retour")
    h.dm(FAC, "suivant")
    assert h.s.step_index == step + 1


# -- identity is the user id; names are only shown ---------------------------------------------
def test_two_people_with_the_same_display_name_are_shown_apart(h):
    h.cmd(FAC, "start")
    _post_as(h, "@alex:example.org", "Alex", "!atelier rejoindre")
    _post_as(h, "@alex.m:autre.org", "Alex", "!atelier rejoindre")
    assert h.s.name("@alex:example.org") == "Alex (@alex)"
    assert h.s.name("@alex.m:autre.org") == "Alex (@alex.m)"
    assert h.s.name(FAC) == "Fac"


def test_a_display_name_change_mid_atelier_keeps_the_persons_place_and_inputs(h):
    at_problem_search(h)
    _post_as(h, "alice", "Alice 🌻 Dupré", "bonjour")
    h.feed(
        DirectMessage(
            room=h.room, sender=UserId("alice"), sender_name="Alice 🌻 Dupré", text="Mon problème"
        )
    )
    assert h.s.problems[0].author == "alice"
    assert h.s.name("alice") == "Alice 🌻 Dupré"
    assert "alice" in h.s.participants


# -- who may start ------------------------------------------------------------------------------
def _harness(who: str | tuple[str, ...]) -> EngineHarness:
    return EngineHarness(engine=Engine(EngineSettings(who_may_start=who), load_formats()))


def test_where_only_moderators_may_start_others_are_told_and_nothing_starts():
    h = _harness("moderators")
    h.cmd("alice", "démarrer")
    assert h.state is None
    assert h.told("alice", "safety.start_moderators")
    h.post("modo", "!atelier démarrer", moderator=True)
    assert h.state is not None and h.s.facilitator == "modo"


def test_where_a_list_may_start_only_listed_people_start():
    h = _harness(("@claire:example.org",))
    h.cmd("alice", "démarrer")
    assert h.state is None and h.told("alice", "safety.start_listed")
    h.cmd("@claire:example.org", "démarrer")
    assert h.state is not None


def test_by_default_anyone_in_the_room_may_start(h):
    h.cmd("alice", "démarrer")
    assert h.state is not None and h.s.facilitator == "alice"


def test_a_bad_command_in_a_room_without_atelier_is_answered(h):
    h.cmd("alice", "zzz")
    assert h.said("command.no_atelier") or h.said("command.unknown")


# -- a deleted message withdraws its input, if its author or a moderator deleted it -----------
def _removed(h: EngineHarness, user: str, message_id: str, moderator: bool = False) -> None:
    h.feed(
        MessageRemoved(
            room=h.room, sender=UserId(user), original_id=MessageId(message_id), moderator=moderator
        )
    )


def _at_rules_with_one(h: EngineHarness) -> str:
    started(h)
    h.dm(FAC, "aller règles")
    h.post("alice", "On parle en « je »")
    message_id = h.s.rules[0].message_id
    assert message_id is not None
    return message_id


def test_deleting_ones_message_withdraws_what_it_gave(h):
    message_id = _at_rules_with_one(h)
    _removed(h, "alice", message_id)
    assert not h.s.rules
    assert h.told("alice", "safety.withdrawn")


def test_nobody_withdraws_someone_elses_words_but_a_moderator(h):
    message_id = _at_rules_with_one(h)
    _removed(h, "bob", message_id)
    assert [r.text for r in h.s.rules] == ["On parle en « je »"]
    _removed(h, "modo", message_id, moderator=True)
    assert not h.s.rules


def test_a_deleted_contribution_leaves_the_record_and_the_kept_ideas(h):
    with_offerer(h)
    goto(h, StepKind.EXCHANGES)
    h.cmd("chloe", "main")
    h.post("chloe", "Idée de Chloé : un forum")
    h.cmd("chloe", "fini")
    goto(h, StepKind.HARVEST)
    h.cmd("alice", "garder 1")
    message_id = h.s.contributions[0].message_id
    assert message_id is not None
    _removed(h, "chloe", message_id)
    assert not h.s.contributions and not h.s.kept
    goto(h, StepKind.RECORD)
    assert "Idée de Chloé" not in h.told("alice", "record.draft")[0].body


def test_a_problem_deleted_once_on_the_ballot_stays_for_the_vote(h):
    at_problem_search(h)
    h.dm("alice", "Mon souci")
    # a private message has an id on the platform too (the adapters give none today)
    h.s.problems[0] = h.s.problems[0].model_copy(update={"message_id": "$p"})
    h.dm(FAC, "suivant")
    _removed(h, "alice", "$p")
    assert [p.text for p in h.s.problems] == ["Mon souci"]


# -- someone the platform refuses to reach -----------------------------------------------------
def test_the_facilitator_is_told_once_who_cannot_be_reached_privately(h):
    started(h)
    for _ in range(3):
        h.feed(Undeliverable(room=h.room, user=UserId("alice"), key="help.body"))
    told = h.told(FAC, "safety.unreachable", h.effects)
    assert len(told) == 1 and "Alice" in told[0].body


def test_a_facilitator_who_cannot_be_reached_privately_is_told_in_the_room(h):
    started(h)
    h.feed(Undeliverable(room=h.room, user=UserId(FAC), key="guide.facilitator"))
    said = h.said("safety.facilitator_unreachable")
    assert said and said[0].mentions == (FAC,)


# -- numbers are ASCII digits, and not too many ------------------------------------------------
def test_superscript_and_arabic_digits_get_the_clear_error_and_change_nothing(h):
    at_choice(h)
    for n, ballot in enumerate(("vote ²", "vote ٣ 1", "vote 1 " + "9" * 3000)):
        before = h.s.model_dump(exclude={"refusals"})
        h.clock.advance(WINDOW + 1)
        h.cmd(PEOPLE[n], ballot)
        assert h.told(PEOPLE[n], "vote.not_a_number", h.last) or h.said("vote.not_a_number", h.last)
        assert h.s.model_dump(exclude={"refusals"}) == before


def test_odd_digits_in_minutes_scores_and_kept_ideas_are_not_numbers(h):
    with_offerer(h)
    goto(h, StepKind.EXCHANGES)
    h.cmd("chloe", "main")
    h.post("chloe", "Une idée")
    h.cmd("chloe", "fini")
    end = h.s.timers["step"]
    h.dm(FAC, "prolonger ٣")
    assert h.s.timers["step"] == end
    goto(h, StepKind.HARVEST)
    h.clock.advance(WINDOW + 1)
    h.cmd("alice", "garder ١")
    assert not h.s.kept and h.said("harvest.unknown", h.last)
    goto(h, StepKind.HOT_FEEDBACK)
    h.cmd("bob", "ressenti ² bien")
    assert not h.s.feelings and h.told("bob", "feeling.scale", h.last)
