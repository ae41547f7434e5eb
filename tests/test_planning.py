"""The planner alone (bot/planning.py): planning, who comes, reminders, opening, cancel, move,
cycles and downtime, on a test clock that starts on Thursday 1 January 2026, 10:00 in Paris."""

import pytest
from planning_kit import DAY, ROOM, PlanHarness

from bot import when
from bot.effects import ArchiveNote, Say, SayDirect
from bot.events import DirectMessage, ReactionAdded, ReactionRemoved
from bot.ids import UserId
from bot.markup import user
from bot.testing import EngineHarness

NB = "\u202f"


@pytest.fixture
def h() -> PlanHarness:
    return PlanHarness()


def _planned(h: PlanHarness, text: str = "planifier 12/01 14h --fin 16h30") -> None:
    h.cmd("camille", text)
    assert h.said("agenda.invitation"), h.said_keys()


def test_planning_posts_an_invitation_with_the_date_the_french_way(h):
    """The invitation says the day and time as people say them, the duration, what to prepare."""
    _planned(h)
    [invitation] = h.said("agenda.invitation")
    assert f"lundi 12 janvier à 14{NB}h" in invitation.body
    assert f"2{NB}h{NB}30" in invitation.body
    assert "Pour préparer" in invitation.body and "contribuer" in invitation.body
    assert invitation.ref == "plan:1"
    assert h.a.sessions[0].facilitator == "camille"


def test_times_are_understood_in_every_usual_form(h):
    """14h, 14h30 and 14:30 all plan the session at that time in the room's zone."""
    for n, time in enumerate(("14h", "14h30", "14:30"), start=1):
        h.cmd("camille", f"planifier 12/01 {time}")
        assert h.a.session(n) is not None
    starts = [p.start for p in h.a.sessions]
    assert starts[1] - starts[0] == 1_800 and starts[1] == starts[2]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("planifier 31/02 14h", "agenda.bad_date"),
        ("planifier 12/13 14h", "agenda.bad_date"),
        ("planifier 12/01 25h", "agenda.bad_time"),
        ("planifier 01/01 9h", "agenda.bad_past"),
        ("planifier 12/01 14h --fin 13h", "agenda.bad_end"),
        ("planifier 12/01 14h --format inconnu", "agenda.unknown_format"),
        ("planifier 12/01 14h --tous-les 2x --fois 3", "agenda.bad_cycle"),
        ("planifier 12/01 14h --tous-les 2s --fois 500", "agenda.bad_cycle"),
        ("planifier demain", "agenda.usage"),
        ("planifier", "agenda.usage"),
    ],
)
def test_a_bad_date_gets_the_expected_form_and_plans_nothing(h, text, key):
    """31/02, 25h, a past date… : a kind answer with the form expected; nothing is planned."""
    h.cmd("camille", text)
    assert h.said_keys() == [key]
    assert "`" in h.last[0].body  # the form expected, as a command to copy
    assert h.agenda is None


def test_people_say_they_come_by_reaction_command_or_plain_words(h):
    """✋ on the invitation, `viens 1`, or « je viens » alone: each is noted once."""
    _planned(h)
    h.react("alice", 1)
    h.cmd("bruno", "viens 1")
    h.says("chloe", "Je viens !")
    assert h.told("chloe", "agenda.coming_noted")
    h.react("alice", 1, key="yes")  # a second reaction: still one person
    assert list(h.a.sessions[0].coming) == ["alice", "bruno", "chloe"]


def test_someone_who_withdraws_is_no_longer_expected(h):
    """Removing the reaction, or `absent 1`, takes the person off the list."""
    _planned(h)
    h.react("alice", 1)
    h.cmd("bruno", "viens")
    h.unreact("alice", 1)
    h.cmd("bruno", "absent 1")
    assert h.a.sessions[0].coming == {}
    assert h.told("bruno", "agenda.not_coming_noted")


def test_reminders_come_a_day_and_a_quarter_of_an_hour_before_then_it_opens(h):
    """24 h before, 15 min before (room and privately), then the atelier opens with them."""
    _planned(h)
    h.react("alice", 1, name="Alice 🌻")
    h.react("elise", 1, name="Élise")
    start = h.a.sessions[0].start
    h.advance(start - DAY - h.clock.now - 1)
    assert not h.said("agenda.reminder_first")
    h.advance(2)
    assert h.said("agenda.reminder_first") and h.told("elise", "agenda.reminder_first_dm")
    assert h.told("camille", "agenda.reminder_first_dm")
    h.advance(DAY - 15 * 60)
    assert h.said("agenda.reminder_last")
    h.advance(15 * 60)
    assert h.said("agenda.opening")
    [opening] = h.openings
    assert opening.facilitator == "camille"
    assert opening.people == (("alice", "Alice 🌻"), ("elise", "Élise"))
    assert h.agenda is not None and h.a.sessions == []


def test_no_reminder_is_sent_twice(h):
    """Each reminder goes out once, however the time is moved."""
    _planned(h)
    h.react("alice", 1)
    first = h.advance(11 * DAY)
    second = h.advance(DAY)
    keys = h.said_keys(first) + h.said_keys(second)
    assert keys.count("agenda.reminder_first") == 1
    assert keys.count("agenda.reminder_last") == 1
    assert len(h.openings) == 1


def test_a_session_planned_for_this_afternoon_gets_no_reminder_of_the_day_before(h):
    """Planned 3 h ahead: only the quarter-of-an-hour reminder is still news."""
    h.cmd("camille", "planifier 01/01 13h")
    assert h.a.sessions[0].reminded == ["first"]
    h.advance(4 * 3_600)
    assert h.said_keys().count("agenda.reminder_last") == 1
    assert "agenda.reminder_first" not in h.said_keys()


def test_only_who_planned_it_or_a_moderator_cancels_and_everyone_coming_is_told(h):
    """A participant cannot cancel; the facilitator can, and those coming hear it privately."""
    _planned(h)
    h.react("alice", 1)
    h.cmd("bruno", "annuler 1")
    assert h.said_keys() == ["agenda.not_yours"] and h.a.sessions
    h.cmd("camille", "annuler 1")
    assert h.said("agenda.cancelled") and h.told("alice", "agenda.cancelled_dm")
    assert h.a.sessions == []
    assert not h.advance(20 * DAY)  # no reminder, no opening of a cancelled session


def test_a_moderator_may_cancel_a_session_planned_by_someone_else(h):
    """Room moderators can take care of the agenda too."""
    _planned(h)
    h.cmd("dora", "annuler 1", moderator=True)
    assert h.said("agenda.cancelled")


def test_moving_a_session_tells_who_comes_and_moves_its_reminders(h):
    """After `déplacer 1 19/01 14h`, the reminders follow the new date; nothing at the old one."""
    _planned(h)
    h.react("alice", 1)
    h.cmd("camille", "déplacer 1 19/01 14h")
    assert h.said("agenda.moved") and h.told("alice", "agenda.moved_dm")
    assert f"lundi 19 janvier à 14{NB}h" in h.said("agenda.moved")[0].body
    h.advance(11 * DAY + 4 * 3_600 + 60)  # past the old start
    assert h.openings == [] and "agenda.reminder_first" not in h.said_keys()
    h.advance(7 * DAY)
    assert len(h.openings) == 1 and h.openings[0].people == (("alice", "Alice"),)


def test_moving_to_a_bad_date_changes_nothing(h):
    """A move to 31/02 is refused with the expected form; the session keeps its date."""
    _planned(h)
    before = h.a.model_copy(deep=True)
    h.cmd("camille", "déplacer 1 31/02 14h")
    assert h.said_keys() == ["agenda.bad_date"] and h.a == before


def test_a_cycle_plans_every_session_and_invites_a_week_ahead(h):
    """`--tous-les 2s --fois 13`: 13 sessions, two weeks apart, at the same clock time across
    the change to summer time; each invitation a week before its session."""
    h.cmd("camille", "planifier 12/01 14h --tous-les 2s --fois 13")
    assert len(h.a.sessions) == 13 and h.said("agenda.cycle")
    assert [p.invited for p in h.a.sessions[:2]] == [True, False]
    hours = {
        (p.start - h.a.sessions[0].start) % DAY for p in h.a.sessions
    }  # 0, or one hour less after the change to summer time
    assert hours <= {0.0, DAY - 3_600}
    h.advance(h.a.sessions[1].start - 7 * DAY - h.clock.now + 1)
    assert h.said("agenda.invitation") and "26 janvier" in h.said("agenda.invitation")[0].body


def test_a_start_missed_during_downtime_opens_late_with_a_word(h):
    """Down over the start, back 10 min later: the atelier opens, saying why it is late."""
    _planned(h)
    h.react("alice", 1)
    start = h.a.sessions[0].start
    h.advance(start - 3_600 - h.clock.now)
    h.advance(3_600 + 600, down=True)
    assert h.said("agenda.opening_late") and len(h.openings) == 1
    assert "agenda.reminder_last" not in h.said_keys()  # no longer true: not sent


def test_a_start_missed_beyond_the_grace_period_is_reported_missed(h):
    """Down for hours over the start: no late atelier, but the room and those coming are told."""
    _planned(h)
    h.react("alice", 1)
    h.advance(20 * DAY, down=True)
    assert h.openings == []
    assert h.said("agenda.missed") and h.told("alice", "agenda.missed_dm")


def test_a_day_reminder_due_during_downtime_is_sent_once_if_still_true(h):
    """Down when the day-before reminder fell due, back 3 h before the start: it is sent once,
    with the session's date, which is still true."""
    _planned(h)
    h.react("alice", 1)
    start = h.a.sessions[0].start
    h.advance(start - 3 * 3_600 - h.clock.now, down=True)
    assert h.said_keys().count("agenda.reminder_first") == 1
    assert f"lundi 12 janvier à 14{NB}h" in h.said("agenda.reminder_first")[0].body


def test_a_session_due_while_an_atelier_runs_is_not_opened_and_is_reported(h):
    """One atelier per room: a planned one falling in another is not silently dropped."""
    _planned(h)
    h.busy = True
    h.advance(12 * DAY)
    assert h.said("agenda.busy") and h.openings == []


def test_the_agenda_lists_sessions_with_names_as_plain_text(h):
    """`agenda` lists dates the French way; a name with markup shows as typed."""
    h.cmd("camille", "planifier 12/01 14h", name="**Camille** <b>")
    h.react("alice", 1)
    h.cmd("alice", "agenda")
    [listing] = h.said("agenda.list")
    assert f"lundi 12 janvier à 14{NB}h" in listing.body
    assert user("**Camille** <b>") in listing.body  # marked as user text, never markup


def test_english_accepts_the_same_forms(h):
    """In English: `plan 12/01 14:30`, and the date written the English way."""
    en = PlanHarness(language="en")
    en.cmd("camille", "plan 12/01 14:30 --every 1w --count 2")
    assert len(en.a.sessions) == 2
    assert "Monday 12 January at 14:30" in en.said("agenda.invitation")[0].body


def test_only_listed_people_may_plan_when_the_room_says_so():
    """`who_may_start = moderators`: a member is told, a moderator plans."""
    h = PlanHarness(who_may_start="moderators")
    h.cmd("alice", "planifier 12/01 14h")
    assert h.said_keys() == ["agenda.not_allowed"] and h.agenda is None
    h.cmd("dora", "planifier 12/01 14h", moderator=True)
    assert h.said("agenda.invitation")


def test_people_talking_about_coming_are_not_answered(h):
    """« Je viens de finir » is conversation: nothing is noted, nothing is said."""
    h.says("alice", "je viens")  # nothing planned yet: no invitation to answer
    assert h.last == [] and h.agenda is None
    _planned(h)
    h.says("alice", "Je viens de finir le compte rendu")
    h.says("bruno", "je ne viens pas souvent ici")
    assert h.last == [] and h.a.sessions[0].coming == {}


def test_prefixed_je_viens_and_je_ne_viens_plus_are_understood(h):
    """`!atelier je viens 1`, then « je ne viens plus » alone."""
    _planned(h)
    h.cmd("alice", "je viens 1")
    assert list(h.a.sessions[0].coming) == ["alice"]
    h.says("alice", "Je ne viens plus")
    assert h.a.sessions[0].coming == {}


def _checked_in(h: PlanHarness) -> None:
    h.cmd("camille", "planifier 12/01 14h --questionnaire")
    h.react("alice", 1)
    h.react("bruno", 1)
    h.advance(h.a.sessions[0].start - DAY - h.clock.now + 1)


def test_the_check_in_question_goes_privately_with_the_day_before_reminder(h):
    """`--questionnaire`: each person coming is asked, privately, what they would bring."""
    _checked_in(h)
    assert h.told("alice", "agenda.check_in_question")
    assert h.told("bruno", "agenda.check_in_question")
    assert not h.told("camille", "agenda.check_in_question")
    assert h.planner.check_in_room({"!salon:test": h.a}, "alice") == "!salon:test"


def test_a_check_in_answer_goes_to_the_facilitator_only_and_back_at_the_opening(h):
    """The answer is told to the facilitator alone, replaced if written again, and handed to
    the atelier when it opens; nothing of it stays in the agenda."""
    _checked_in(h)
    h.feed(
        DirectMessage(
            room=ROOM, sender=UserId("alice"), sender_name="Alice", text="Mes *bénévoles*"
        )
    )
    h.feed(
        DirectMessage(
            room=ROOM, sender=UserId("alice"), sender_name="Alice", text="Garder les bénévoles"
        )
    )
    [to_facilitator] = h.told("camille", "agenda.check_in_for_facilitator")
    assert user("Garder les bénévoles") in to_facilitator.body
    assert [e.user for e in h.last if isinstance(e, SayDirect)] == ["alice", "camille"]
    assert h.a.sessions[0].answers == {"alice": "Garder les bénévoles"}
    h.advance(DAY)
    assert h.openings[0].seeds == (("alice", "Garder les bénévoles"),)
    assert h.a.sessions == []


def test_without_the_option_nobody_is_asked(h):
    """The check-in is optional: a plain planned session asks nothing."""
    _planned(h)
    h.react("alice", 1)
    h.advance(12 * DAY)
    assert "agenda.check_in_question" not in h.said_keys(h.last)


def test_an_ended_atelier_plans_its_follow_up_and_the_answer_goes_to_the_record(h):
    """Fourteen days after the end, the offerer is asked privately; the answer becomes a note
    for the archived record, and the follow-up is done."""
    h.agenda = h.planner.ended(None, ROOM, "atelier-1", "alice", h.clock.now, h.clock.now)
    h.advance(14 * DAY - 1)
    assert not h.told("alice", "agenda.follow_up_question")
    h.advance(1)
    assert h.told("alice", "agenda.follow_up_question")
    h.feed(DirectMessage(room=ROOM, sender=UserId("alice"), sender_name="Alice", text="Ça va"))
    [note] = [e for e in h.last if isinstance(e, ArchiveNote)]
    assert note.atelier_id == "atelier-1" and user("Ça va") in note.text
    assert h.told("alice", "agenda.follow_up_noted") and h.a.follow_ups == []


def test_forget_me_drops_a_follow_up_not_yet_asked(h):
    """Someone who asked to be forgotten is not written to two weeks later."""
    h.agenda = h.planner.ended(None, ROOM, "atelier-1", "alice", h.clock.now, h.clock.now)
    h.agenda = h.planner.forget(h.agenda, "alice")
    assert h.agenda is not None and h.agenda.follow_ups == []


def test_a_follow_up_left_unanswered_is_dropped_after_as_long_again(h):
    """No answer in the 14 days after the question: nothing of it is kept any longer."""
    h.agenda = h.planner.ended(None, ROOM, "atelier-1", "alice", h.clock.now, h.clock.now)
    h.advance(14 * DAY)
    assert h.a.follow_ups[0].asked
    h.advance(14 * DAY)
    assert h.a.follow_ups == []


def test_a_command_sent_privately_is_not_taken_for_an_answer(h):
    """Asked the follow-up, Alice writes `aide`: that is a command, not her news."""
    h.agenda = h.planner.ended(None, ROOM, "atelier-1", "alice", h.clock.now, h.clock.now)
    h.advance(14 * DAY)
    help_dm = DirectMessage(room=ROOM, sender=UserId("alice"), sender_name="Alice", text="aide")
    assert not h.planner.takes(help_dm, h.agenda, atelier_running=False)


def _polled(h: PlanHarness) -> None:
    h.cmd("camille", "sondage-date 12/01 14h, 14/01 18h30, 15/01 9h")
    assert [s.ref for s in h.said("agenda.poll_slot")] == [
        "plan:slot:2",
        "plan:slot:3",
        "plan:slot:4",
    ]


def _on_slot(h: PlanHarness, user: str, number: int, *, remove: bool = False) -> None:
    ref = f"plan:slot:{number}"
    if remove:
        h.feed(ReactionRemoved(room=ROOM, sender=UserId(user), ref=ref, key="yes"))
    else:
        h.feed(
            ReactionAdded(
                room=ROOM, sender=UserId(user), sender_name=user.title(), ref=ref, key="yes"
            )
        )


def test_a_date_poll_counts_who_each_slot_suits_and_the_chosen_one_is_planned(h):
    """People react ✅ to the slots that suit them (and take one back); `sondage-date` shows
    the counts; `planifier 3` plans that slot, closes the poll and tells those it suited."""
    _polled(h)
    _on_slot(h, "alice", 3)
    _on_slot(h, "bruno", 3)
    _on_slot(h, "bruno", 2)
    _on_slot(h, "bruno", 2, remove=True)
    h.cmd("chloe", "sondage-date")
    [counts] = h.said("agenda.poll_counts")
    assert f"mercredi 14 janvier à 18{NB}h{NB}30 — ça convient à{NB}: 2" in counts.body
    h.cmd("alice", "planifier 3")
    assert h.said_keys() == ["agenda.poll_not_yours"] and h.a.polls
    h.cmd("camille", "planifier 3 --fin 20h")
    assert h.said("agenda.invitation") and h.a.polls == []
    assert h.told("alice", "agenda.poll_chosen") and h.told("bruno", "agenda.poll_chosen")
    assert f"mercredi 14 janvier à 18{NB}h{NB}30" in h.said("agenda.invitation")[0].body


def test_a_bad_slot_proposes_nothing(h):
    """A slot on 31/02, or one alone: the form expected, and no poll."""
    h.cmd("camille", "sondage-date 12/01 14h, 31/02 9h")
    assert h.said_keys() == ["agenda.poll_bad_slot"]
    h.cmd("camille", "sondage-date 12/01 14h")
    assert h.said_keys() == ["agenda.poll_usage"] and h.agenda is None


def test_a_poll_whose_slots_all_passed_is_closed(h):
    """Nobody chose: once its last slot has passed, the poll is closed with a word."""
    _polled(h)
    h.advance(20 * DAY)
    assert h.said("agenda.poll_closed") and h.agenda is not None and h.a.polls == []


def test_a_flood_of_bad_planning_commands_gets_a_few_answers(h):
    """Ten bad dates in a row: three answers in the window, then silence; later, answered."""
    answered = 0
    for _ in range(10):
        answered += len([e for e in h.cmd("mallory", "planifier 31/02 14h") if isinstance(e, Say)])
    assert answered == 3
    h.clock.advance(11)
    h.cmd("mallory", "planifier 31/02 14h")
    assert h.said_keys() == ["agenda.bad_date"] and h.agenda is None


def test_an_answer_starting_with_a_command_word_is_still_an_answer(h):
    """« Garder nos bénévoles après l'été » answers the check-in, though `garder` is a
    command word; `aide` alone is a command."""
    _checked_in(h)
    answer = "Garder nos bénévoles après l'été"
    for text, taken in ((answer, True), ("aide", False), ("!atelier état", False)):
        dm = DirectMessage(room=ROOM, sender=UserId("alice"), sender_name="Alice", text=text)
        assert h.planner.takes(dm, h.agenda, atelier_running=False) is taken


def test_a_room_chooses_its_follow_up_delay_or_none(h):
    """`suivi 21`: the follow-up comes three weeks after; `suivi 0`: never; a bad value
    changes nothing."""
    h.cmd("camille", "suivi")
    assert "14 jours" in h.said("agenda.follow_up_days")[0].body
    h.cmd("camille", "suivi trois")
    assert h.said_keys() == ["agenda.follow_up_usage"] and h.agenda is None
    h.cmd("camille", "suivi 21")
    assert h.a.follow_up_days == 21
    ended = h.planner.ended(h.agenda, ROOM, "a1", "alice", h.clock.now, h.clock.now)
    assert ended is not None and ended.follow_ups[0].due == h.clock.now + 21 * DAY
    h.cmd("camille", "suivi 0")
    assert h.planner.ended(h.agenda, ROOM, "a2", "alice", h.clock.now, h.clock.now) is None


def test_cancelling_a_cycle_from_one_session_on(h):
    """`annuler 3 --cycle`: n° 3 and the later sessions of its cycle go; n° 1 and 2 stay;
    only the sessions already announced are announced cancelled in the room."""
    h.cmd("camille", "planifier 12/01 14h --tous-les 1s --fois 5")
    h.react("alice", 1)
    h.cmd("camille", "annuler 3 --cycle")
    assert [p.number for p in h.a.sessions] == [1, 2]
    assert h.said_keys().count("agenda.cancelled") == 1
    assert not [e for e in h.last if isinstance(e, SayDirect)]  # Alice comes to n° 1 only


def test_the_agenda_mentions_an_open_date_poll(h):
    """With only a poll open, `agenda` points to it rather than saying nothing is planned."""
    h.cmd("camille", "sondage-date 12/01 14h, 14/01 18h")
    h.cmd("alice", "agenda")
    assert h.said("agenda.list") and "sondage" in h.said("agenda.list")[0].body


def test_a_follow_up_answer_reaches_those_who_asked_for_news(h):
    """Listeners get the answer privately; the question told the offerer so."""
    h.agenda = h.planner.ended(None, ROOM, "a1", "alice", h.clock.now, h.clock.now, ("bruno",))
    h.advance(14 * DAY)
    assert h.told("alice", "agenda.follow_up_question_shared")
    h.feed(DirectMessage(room=ROOM, sender=UserId("alice"), sender_name="Alice", text="Ça va"))
    assert user("Ça va") in h.told("bruno", "agenda.follow_up_news")[0].body


def test_an_invitation_without_an_end_says_how_long_the_atelier_will_last_at_most():
    """No ``--fin``: the invitation gives the length the atelier will announce when it opens
    (its format, for a group as large as it allows), not « à préciser »."""
    h = PlanHarness()
    h.cmd("camille", "planifier 12/01 14h")
    body = h.said("agenda.invitation")[0].body
    opened = EngineHarness(seconds_per_minute=60)
    opened.cmd("camille", "démarrer")
    planned = opened.s.announced_end - opened.s.started_at
    assert f"Durée\u202f: {when.spoken_duration(planned, 'fr')} au plus" in body
    assert "à préciser" not in body
