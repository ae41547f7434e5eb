"""Registration, rules, problems, consent, roles, turns and the steps after them."""

from conftest import FAC, PEOPLE, at_choice, at_problem_search, goto, started, with_offerer

from bot.effects import Say, SayDirect, StartTimer
from bot.events import PlannedOpening
from bot.formats import StepKind
from bot.ids import RoomId, UserId
from bot.testing import EngineHarness

K = StepKind


def test_start_makes_the_sender_facilitator_and_opens_the_welcome(h):
    h.cmd(FAC, "start")
    assert h.s.facilitator == FAC
    assert h.s.kind is K.WELCOME
    assert h.said("howto.welcome")[0].ref == "welcome"


def test_second_start_in_a_running_room_is_refused(h):
    h.cmd(FAC, "start")
    h.cmd("alice", "start")
    assert h.said("start.already_running")
    assert h.s.facilitator == FAC


def test_start_with_end_time_announces_it(h):
    h.cmd(FAC, "start --end 23:30")
    assert "23:30" in h.said("start.planned")[0].body


def test_start_with_malformed_end_time_is_refused_kindly(h):
    h.cmd(FAC, "start --end midi")
    assert h.said("start.bad_end")
    assert h.state is None


def test_start_in_english_speaks_english(h):
    h.cmd(FAC, "start --lang en")
    assert h.s.lang == "en"
    assert "Welcome" in h.said("howto.welcome")[0].body


def test_join_registers_a_participant(h):
    started(h, ["alice"])
    assert h.s.participants == ["alice"]


def test_hand_reaction_on_welcome_registers(h):
    h.cmd(FAC, "start")
    h.react("bob", "welcome", "hand")
    assert h.s.participants == ["bob"]


def test_facilitator_cannot_join_as_participant(h):
    h.cmd(FAC, "start")
    h.cmd(FAC, "join")
    assert h.s.participants == []
    assert h.told(FAC, "refusal.facilitator_does_not_join")


def test_join_during_the_problem_search_invites_the_latecomer_to_write_a_problem(h):
    at_problem_search(h)
    h.cmd("zoe", "join")
    assert "zoe" in h.s.participants
    assert h.told("zoe", "problem.dm_invite")


def test_plain_messages_during_ground_rules_become_rules_and_are_pinned(h):
    started(h)
    goto(h, K.GROUND_RULES)
    h.post("alice", "On s'écoute")
    h.cmd("bob", "règle Bienveillance")
    assert [r.text for r in h.s.rules] == ["On s'écoute", "Bienveillance"]
    h.dm(FAC, "next")
    pinned = h.said("rules.pinned", h.effects)
    assert pinned and pinned[0].pin
    assert "Bienveillance" in pinned[0].body


def test_problem_by_dm_is_recorded_and_confirmed_privately(h):
    at_problem_search(h)
    effects = h.dm("alice", "Mon souci")
    assert h.s.problem_of("alice").text == "Mon souci"
    records = [e for e in effects if type(e).__name__ == "Record"]
    assert records and records[0].kind == "problem"
    assert h.told("alice", "problem.received")


def test_second_problem_replaces_the_first_and_keeps_its_number(h):
    at_problem_search(h)
    h.dm("alice", "Premier")
    h.dm("bob", "Autre")
    h.cmd("alice", "problème Second")
    assert [(p.number, p.text) for p in h.s.problems] == [(1, "Second"), (2, "Autre")]
    assert h.told("alice", "problem.replaced")


def test_facilitator_cannot_submit_a_problem(h):
    at_problem_search(h)
    h.cmd(FAC, "problem Le mien")
    assert h.s.problems == []
    assert h.told(FAC, "refusal.facilitator_not_participant")


def test_problem_search_without_problem_waits_for_the_facilitator(h):
    at_problem_search(h)
    h.run_out_step()
    assert h.s.kind is K.PROBLEM_SEARCH
    assert "step" not in h.s.timers
    assert h.told(FAC, "facilitator.no_problem", h.effects)


def test_each_author_presents_in_turn_with_a_two_minute_timer(h):
    at_problem_search(h)
    for person in PEOPLE:
        h.dm(person, f"souci {person}")
    h.dm(FAC, "next")
    assert h.s.turns.speaker == "alice"
    turn = next(t for t in h.timers() if t.name == "turn")
    assert turn.at - h.clock.now == 120
    h.advance(120.001)
    assert h.s.turns.speaker == "bob"


def test_problem_sharing_ends_after_the_last_turn(h):
    at_choice(h)
    assert h.s.kind is K.CHOICE
    assert len(h.said("choice.card")) == len(PEOPLE)


def test_declined_consent_moves_to_next_problem_by_votes_with_thanks(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2 3")
    h.cmd("bob", "vote 2")
    h.dm(FAC, "next")
    assert h.s.chosen == 2
    h.cmd("bob", "no")
    assert h.said("consent.declined")
    assert h.s.chosen == 3
    h.react("chloe", "consent:3", "yes")
    assert h.s.offerer == "chloe"


def test_only_the_chosen_author_can_consent(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2")
    h.dm(FAC, "next")
    h.cmd("alice", "yes")
    assert h.s.offerer is None
    assert h.told("alice", "refusal.only_chosen_author")


def test_consent_hands_out_roles_privately(h):
    with_offerer(h, 1)
    roles = [e for e in h.effects if isinstance(e, SayDirect) and e.key.startswith("roles.")]
    assert {(e.user, e.key) for e in roles} == {
        (FAC, "roles.facilitator"),
        ("alice", "roles.offerer"),
        *{(p, "roles.contributor") for p in PEOPLE[1:]},
    }


def test_consent_step_waits_when_the_author_does_not_answer(h):
    at_choice(h)
    h.cmd("alice", "vote 2 2")
    h.dm(FAC, "next")
    h.run_out_step()
    assert h.s.kind is K.CONSENT
    assert h.told(FAC, "facilitator.consent_waiting")


def test_all_declines_leave_the_facilitator_in_control(h):
    at_choice(h)
    h.dm(FAC, "next")
    h.dm(FAC, "choose 1")
    for person in PEOPLE:
        h.cmd(person, "no")
    assert h.s.chosen is None and h.s.offerer is None
    assert h.told(FAC, "facilitator.nobody_left", h.effects)


def test_clarifying_questions_are_recorded_with_their_author(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.post("bob", "Depuis quand ?")
    h.post("alice", "Deux ans.")
    assert [(q.author, q.text) for q in h.s.questions] == [("bob", "Depuis quand ?")]
    assert [(a.author, a.text) for a in h.s.answers] == [("alice", "Deux ans.")]


def test_nobody_speaks_twice_before_everyone_who_asked_has_spoken(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.cmd("bob", "hand")
    h.cmd("chloe", "hand")
    h.cmd("bob", "done")
    assert h.s.turns.speaker == "chloe"
    h.cmd("bob", "hand")  # has spoken: waits behind those who have not
    h.cmd("dan", "hand")
    assert h.s.turns.queue == ["dan", "bob"]


def test_message_from_someone_without_the_floor_is_kept_and_they_are_reminded(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("bob", "hand")
    h.post("chloe", "Moi aussi j'ai vécu ça")
    assert [c.author for c in h.s.contributions] == ["chloe"]
    assert h.told("chloe", "turns.please_wait")


def test_offerer_speaking_during_exchanges_is_reminded_privately(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.post("alice", "Je voulais préciser…")
    assert h.told("alice", "exchanges.offerer_listens")
    assert h.s.contributions == []


def test_offerer_cannot_raise_hand_in_exchanges(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("alice", "hand")
    assert h.told("alice", "refusal.offerer_listens")
    assert h.s.turns.speaker is None


def test_turn_timer_passes_the_floor_to_the_next(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("bob", "hand")
    h.cmd("chloe", "hand")
    h.advance(3 * 60 + 0.01)
    assert h.s.turns.speaker == "chloe"
    assert h.said("turns.time_up", h.effects)


def test_only_the_speaker_can_end_a_turn(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    h.cmd("bob", "hand")
    h.cmd("chloe", "done")
    assert h.s.turns.speaker == "bob"
    assert h.told("chloe", "refusal.not_your_turn")


def test_rebounds_are_private_notes_of_contributors(h):
    with_offerer(h)
    goto(h, K.REFLECTION)
    effects = h.dm("bob", "Vécu en 2019")
    assert [(r.author, r.text) for r in h.s.rebounds] == [("bob", "Vécu en 2019")]
    assert not [e for e in effects if isinstance(e, Say)]


def test_request_is_replaced_by_an_edit(h):
    with_offerer(h)
    goto(h, K.REFORMULATION)
    h.post("alice", "J'aimerais que le groupe m'aide à dormir")
    original = h.s.request_message_id
    h.edit("alice", original, "J'aimerais que le groupe m'aide à déléguer")
    assert h.s.request == "J'aimerais que le groupe m'aide à déléguer"


def test_harvest_keeps_two_or_three_numbered_contributions(h):
    with_offerer(h)
    goto(h, K.EXCHANGES)
    for person, text in [("bob", "A"), ("chloe", "B"), ("dan", "C"), ("eve", "D")]:
        h.cmd(person, "hand")
        h.post(person, text)
        h.cmd(person, "done")
    h.dm(FAC, "next")
    h.cmd("alice", "keep 1 4 5 2")
    assert h.s.kept == []
    h.cmd("alice", "keep 2 4")
    assert h.s.kept == [2, 4]


def test_action_with_when_is_parsed(h):
    with_offerer(h)
    goto(h, K.ACTION_PLAN)
    h.cmd("alice", "action Appeler la mairie @quand lundi")
    assert [(a.text, a.when) for a in h.s.actions] == [("Appeler la mairie", "lundi")]


def test_each_contributor_shares_for_one_minute_in_turn(h):
    with_offerer(h)
    goto(h, K.CONTRIBUTOR_SHARING)
    assert h.s.turns.speaker == "bob"
    h.advance(60.01)
    assert h.s.turns.speaker == "chloe"


def test_hot_feedback_takes_a_score_and_a_word(h):
    with_offerer(h)
    goto(h, K.HOT_FEEDBACK)
    h.cmd("bob", "ressenti 4 serein")
    assert [(f.score, f.text) for f in h.s.feelings] == [(4, "serein")]
    h.cmd("bob", "ressenti 9")
    assert h.told("bob", "feeling.scale")


def test_one_minute_warning_comes_before_each_deadline(h):
    with_offerer(h)
    warning = h.s.timers["warning"]
    assert h.s.timers["step"] - warning == 60
    h.advance(warning - h.clock.now + 0.001)
    assert h.said("step.warning")


def test_short_step_warns_at_eighty_percent(h):
    at_choice(h)  # the choice lasts 2 minutes
    started_at = h.s.step_started_at
    assert h.s.timers["warning"] - started_at == 0.8 * 120


def test_timers_are_effects_with_absolute_times_never_in_the_past(h):
    effects = with_offerer(h).effects
    for effect in effects:
        if isinstance(effect, StartTimer):
            assert effect.at >= h.clock.now - 10_000  # absolute epoch times, not delays
            assert effect.at > 1_000_000_000


def test_private_problem_starting_with_a_command_word_is_kept_whole(h):
    at_problem_search(h)
    h.dm("alice", "Garder les bénévoles motivés toute l'année")
    assert h.s.problem_of("alice").text == "Garder les bénévoles motivés toute l'année"


def test_short_allowed_command_in_a_private_message_still_works_during_problem_search(h):
    at_problem_search(h)
    h.dm("alice", "aide")
    assert h.told("alice", "help.body")
    assert h.s.problems == []


def test_problem_command_without_text_explains_how(h):
    at_problem_search(h)
    h.cmd("alice", "problème")
    assert h.told("alice", "problem.how")
    assert h.s.problems == []


def test_the_group_is_asked_to_agree_that_the_facilitator_may_recall_the_rules(h):
    started(h)
    goto(h, K.GROUND_RULES)
    h.post("alice", "On s'écoute")
    h.dm(FAC, "next")
    pinned = h.said("rules.pinned", h.effects)[0]
    assert pinned.ref == "rules" and "rappelle" in pinned.body
    for person in PEOPLE[:-1]:
        h.react(person, "rules", "yes")
    assert not h.said("rules.recall_agreed")
    h.react(PEOPLE[-1], "rules", "yes")
    assert h.said("rules.recall_agreed")


def test_a_person_who_disagrees_with_the_recall_of_the_rules_is_reported_to_the_facilitator(h):
    started(h)
    goto(h, K.GROUND_RULES)
    h.post("alice", "On s'écoute")
    h.dm(FAC, "next")
    h.react("bob", "rules", "no")
    assert "Bob" in h.told(FAC, "rules.recall_refused")[0].body
    h.react("bob", "rules", "no")  # said twice: told once
    assert not h.told(FAC, "rules.recall_refused")


def test_the_hot_feedback_is_summarised_for_the_group_without_names(h):
    with_offerer(h)
    goto(h, K.HOT_FEEDBACK)
    h.cmd("bob", "ressenti 5 soulagé")
    h.dm("chloe", "ressenti 4 inspirée")
    h.cmd("bob", "ressenti 4 apaisé")  # changed his mind: his last answer counts
    h.dm(FAC, "next")
    summary = h.said("feeling.summary", h.effects)[0].body
    assert "2 réponse(s)" in summary and "4/5" in summary
    assert "apaisé, inspirée" in summary and "soulagé" not in summary
    assert "Bob" not in summary and "Chloe" not in summary


def test_the_shared_record_holds_the_anonymous_hot_feedback(h):
    with_offerer(h)
    goto(h, K.HOT_FEEDBACK)
    h.cmd("bob", "ressenti 5 soulagé")
    goto(h, K.RECORD)
    for person in PEOPLE:
        h.cmd(person, "oui")
    record = h.said("record.shared", h.effects)[0].body
    assert "Ressenti à chaud du groupe" in record and "soulagé" in record


def test_an_optional_step_is_shown_so_and_the_facilitator_is_reminded_it_may_be_skipped(h):
    started(h)
    goto(h, K.PRESENTATION)
    assert "Ressenti à chaud (3 min, facultative)" in h.said("howto.presentation")[0].body
    h2 = EngineHarness()  # a second atelier, to reach the optional step
    with_offerer(h2)
    goto(h2, K.HOT_FEEDBACK)
    assert "suivant" in h2.told(FAC, "plan.optional_step")[0].body
    goto(h2, K.HARVEST)
    assert not h2.told(FAC, "plan.optional_step")


def test_a_planned_session_opens_with_its_facilitator_and_those_who_said_they_come():
    """The planner's PlannedOpening starts the atelier as `démarrer` would, people joined."""
    h = EngineHarness()
    h.feed(
        PlannedOpening(
            room=RoomId(h.room),
            facilitator=UserId("camille"),
            facilitator_name="Camille",
            people=((UserId("alice"), "Alice"), (UserId("élise"), "Élise ✨")),
        )
    )
    assert h.s.facilitator == "camille"
    assert h.s.participants == ["alice", "élise"]
    assert h.said("join.welcome", h.effects) and h.told("camille", "guide.facilitator", h.effects)


def test_a_planning_command_sent_privately_is_answered_with_where_to_type_it():
    """`planifier` in a private message: the bot says to type it in the group's room."""
    h = EngineHarness()
    h.dm("camille", "planifier 12/01 14h")
    assert h.told("camille", "agenda.in_room")


def test_a_check_in_answer_is_offered_at_the_problem_search_to_confirm_or_replace():
    """Who answered the check-in is offered their words as their problem: `oui` proposes
    them as they are; another message replaces them."""
    h = EngineHarness()
    h.feed(
        PlannedOpening(
            room=RoomId(h.room),
            facilitator=UserId("camille"),
            facilitator_name="Camille",
            people=((UserId("alice"), "Alice"), (UserId("bruno"), "Bruno")),
            seeds=((UserId("alice"), "Garder nos bénévoles"), (UserId("bruno"), "Le budget")),
        )
    )
    h.dm("camille", f"goto {StepKind.PROBLEM_SEARCH.value}")
    assert h.s.kind is StepKind.PROBLEM_SEARCH
    assert h.told("alice", "problem.dm_invite_seeded", h.effects)
    h.dm("alice", "Oui")
    h.dm("bruno", "Trouver un local")
    assert [(p.author, p.text) for p in h.s.problems] == [
        ("alice", "Garder nos bénévoles"),
        ("bruno", "Trouver un local"),
    ]
    assert h.s.seeds == {}
