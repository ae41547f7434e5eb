"""Facilitator controls, record consent, wrong person, wrong step, unknown commands."""

from conftest import FAC, PEOPLE, at_choice, goto, started, with_offerer

from bot.effects import Say
from bot.formats import StepKind

K = StepKind


def test_next_ends_the_step_now(h):
    started(h)
    h.dm(FAC, "suivant")
    assert h.s.kind is K.PRESENTATION
    assert h.told(FAC, "facilitator.done")


def test_extend_adds_minutes_and_says_the_new_planned_end(h):
    started(h)
    before = h.s.timers["step"]
    h.dm(FAC, "prolonger 5")
    assert h.s.timers["step"] == before + 300
    assert h.said("time.extended")
    assert h.told(FAC, "facilitator.planned_end")


def test_extension_past_the_announced_end_is_warned(h):
    h.cmd(FAC, "start")
    h.dm(FAC, "extend 10")
    assert h.told(FAC, "plan.overrun")


def test_extension_within_the_announced_end_is_not_warned(h):
    h.cmd(FAC, "start --end 23:59")
    h.dm(FAC, "extend 10")
    assert not h.told(FAC, "plan.overrun")


def test_shorten_never_goes_below_zero(h):
    started(h)
    h.dm(FAC, "raccourcir 500")
    assert h.s.timers["step"] == h.clock.now


def test_extend_without_minutes_is_explained(h):
    started(h)
    before = dict(h.s.timers)
    h.dm(FAC, "extend beaucoup")
    assert h.told(FAC, "facilitator.minutes_needed")
    assert h.s.timers == before


def test_pause_freezes_the_timer_and_resume_restores_remaining_time(h):
    with_offerer(h)
    left = h.s.timers["step"] - h.clock.now
    h.dm(FAC, "pause")
    assert set(h.s.timers) == {"end"}  # the announced end is a clock time: it does not pause
    h.advance(3600)
    assert h.s.kind is K.SITUATION
    h.dm(FAC, "reprendre")
    assert h.s.timers["step"] - h.clock.now == left


def test_back_returns_to_previous_step_and_keeps_inputs(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.post("bob", "Question ?")
    h.dm(FAC, "retour")
    assert h.s.kind is K.SITUATION
    assert len(h.s.questions) == 1


def test_goto_by_number_and_by_id(h):
    with_offerer(h)
    h.dm(FAC, "aller 12")
    assert h.s.kind is K.EXCHANGES
    h.dm(FAC, "goto harvest")
    assert h.s.kind is K.HARVEST


def test_goto_unknown_step_lists_the_steps(h):
    started(h)
    h.dm(FAC, "goto nulle-part")
    assert h.told(FAC, "goto.unknown")
    assert h.s.kind is K.WELCOME


def test_goto_a_step_needing_an_offerer_before_consent_is_refused(h):
    at_choice(h)
    h.dm(FAC, "goto exchanges")
    assert h.told(FAC, "goto.needs_offerer")
    assert h.s.kind is K.CHOICE


def test_non_facilitator_steering_is_told_who_can(h):
    started(h)
    h.dm("alice", "next")
    reply = h.told("alice", "refusal.only_facilitator")
    assert reply and "Fac" in reply[0].body
    assert h.s.kind is K.WELCOME


def test_facilitator_commands_are_accepted_in_the_room_from_the_facilitator(h):
    started(h)
    h.cmd(FAC, "next")
    assert h.s.kind is K.PRESENTATION


def test_moderator_can_take_over_facilitation(h):
    started(h)
    h.post("mod", "!atelier faciliter", moderator=True)
    assert h.s.facilitator == "mod"
    h.dm("mod", "next")
    assert h.s.kind is K.PRESENTATION


def test_non_moderator_cannot_take_over_facilitation(h):
    started(h)
    h.cmd("alice", "faciliter")
    assert h.s.facilitator == FAC
    assert h.told("alice", "refusal.only_moderator")


def test_status_gives_step_time_left_roles_and_planned_end(h):
    with_offerer(h)
    h.cmd("bob", "état")
    body = h.said("status.body")[0].body
    assert "Exposé de la situation" in body
    assert "Alice" in body and "Fac" in body
    assert "5 min" in body


def test_help_lists_only_what_makes_sense_now_for_this_person(h):
    at_choice(h)
    h.cmd("alice", "aide")
    body = h.told("alice", "help.body")[0].body
    assert "vote" in body
    assert "suivant" not in body
    h.dm(FAC, "aide")
    facilitator_help = h.told(FAC, "help.body")[0].body
    assert "suivant" in facilitator_help
    assert "vote 2 2 5" not in facilitator_help


def test_unknown_command_names_the_closest_one(h):
    started(h)
    # only the flood window moves (bot/flood.py)
    before = h.s.model_dump(exclude={"refusals"})
    h.cmd("alice", "rejoindr")
    reply = h.said("command.unknown_close")[0]
    assert "rejoindre" in reply.body
    assert h.s.model_dump(exclude={"refusals"}) == before


def test_gibberish_command_points_to_help(h):
    started(h)
    h.cmd("alice", "xyzzy")
    assert "aide" in h.said("command.unknown")[0].body


def test_commands_tolerate_case_accents_and_spaces(h):
    started(h, [])
    h.post("alice", "  !ATELIER   Rejoindre  ")
    h.post("bob", "!atelier REJOINDRE")
    assert h.s.participants == ["alice", "bob"]


def test_command_when_no_atelier_runs_says_how_to_start(h):
    h.cmd("alice", "join")
    assert h.said("command.no_atelier")
    assert h.state is None


def test_end_goes_to_the_record_first_which_the_offerer_reviews(h):
    with_offerer(h)
    h.dm(FAC, "terminer")
    assert h.s.kind is K.RECORD
    assert h.told("alice", "record.draft")
    h.dm("alice", "oui")
    assert h.said("record.ask")[0].ref == "record_consent"


def test_record_is_shared_when_everyone_agrees(h):
    with_offerer(h)
    goto(h, K.REFORMULATION)
    h.post("alice", "J'aimerais que le groupe m'aide à déléguer")
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    for person in PEOPLE[1:]:
        h.react(person, "record_consent", "yes")
    shared = h.said("record.shared", h.effects)
    assert shared and "déléguer" in shared[0].body
    assert h.s.finished


def test_record_goes_privately_to_its_author_when_one_person_refuses(h):
    with_offerer(h)
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    for person in PEOPLE[1:-1]:
        h.react(person, "record_consent", "yes")
    h.cmd(PEOPLE[-1], "non")
    assert h.told(FAC, "facilitator.record_answered")
    h.run_out_step()
    assert not h.said("record.shared", h.effects)
    assert h.told("alice", "record.private_copy", h.effects)
    assert h.s.finished


def test_record_without_every_answer_waits_for_the_facilitator_then_stays_private(h):
    with_offerer(h)
    goto(h, K.RECORD)
    h.dm("alice", "oui")
    h.react("bob", "record_consent", "yes")
    h.run_out_step()
    assert h.told(FAC, "facilitator.record_waiting")
    assert not h.s.finished
    h.dm(FAC, "suivant")
    assert not h.said("record.shared", h.effects)
    assert h.told("alice", "record.private_copy", h.effects)
    assert h.s.finished


def test_record_holds_request_kept_ideas_and_actions(h):
    with_offerer(h)
    goto(h, K.CLARIFICATION)
    h.post("bob", "Depuis quand ?")
    goto(h, K.REFORMULATION)
    h.cmd("alice", "demande J'aimerais que le groupe m'aide à recruter")
    goto(h, K.EXCHANGES)
    h.post("chloe", "Un forum des associations")
    h.cmd("chloe", "done")
    h.post("dan", "Une affiche au marché")
    goto(h, K.HARVEST)
    h.cmd("alice", "garder 1 2")
    goto(h, K.ACTION_PLAN)
    h.cmd("alice", "action S'inscrire au forum @quand septembre")
    goto(h, K.RECORD)
    for person in PEOPLE:
        h.cmd(person, "oui")
    record = h.said("record.shared", h.effects)[0].body
    for expected in (
        "recruter",
        "Un forum des associations",
        "Une affiche au marché",
        "S'inscrire au forum",
        "septembre",
        "Depuis quand ?",
    ):
        assert expected in record


def test_finished_atelier_allows_a_new_start(h):
    with_offerer(h)
    h.dm(FAC, "end")
    h.dm(FAC, "end")
    assert h.s.finished
    h.cmd("bob", "start")
    assert h.s.facilitator == "bob" and not h.s.finished


def test_bot_removed_from_room_ends_the_atelier_silently(h):
    from bot.events import MemberLeft
    from bot.ids import RoomId, UserId

    started(h)
    effects = h.feed(MemberLeft(room=RoomId(h.room), sender=UserId("@bot"), bot_removed=True))
    assert h.s.finished
    assert not [e for e in effects if isinstance(e, Say)]


def test_stale_timer_is_ignored(h):
    from bot.events import TimerFired

    started(h)
    old = h.s.timers["step"]
    h.dm(FAC, "extend 5")
    h.feed(TimerFired(room=h.room, name="step", at=old))
    assert h.s.kind is K.WELCOME


def test_bad_command_leaves_state_unchanged(h):
    at_choice(h)
    before = h.s
    h.cmd("alice", "vote 1 1 1")
    assert h.s == before


def test_decide_never_changes_the_state_it_was_given(h):
    from bot.events import MessagePosted
    from bot.ids import MessageId, UserId

    at_choice(h)
    given = h.s
    snapshot = given.model_dump()
    event = MessagePosted(
        room=h.room,
        sender=UserId("alice"),
        sender_name="Alice",
        text="!atelier vote 2 2 3",
        message_id=MessageId("$x"),
    )
    new, _ = h.engine.decide(given, event, h.clock.now)
    assert given.model_dump() == snapshot
    assert new is not given and len(new.votes) == 3
    assert new.format is given.format  # frozen, so shared rather than copied


def test_goto_takes_french_step_names(h):
    with_offerer(h)
    for typed, kind in (
        ("aller règles", K.GROUND_RULES),
        ("aller échanges", K.EXCHANGES),
        ("aller Plan d'action", K.ACTION_PLAN),
        ("aller trace", K.RECORD),
        ("aller ressenti", K.HOT_FEEDBACK),
        ("goto questions", K.CLARIFICATION),
        ("goto Hot feedback", K.HOT_FEEDBACK),
    ):
        h.dm(FAC, typed)
        assert h.s.kind is kind, typed


def test_goto_a_name_that_fits_several_steps_lists_them_by_title(h):
    with_offerer(h)
    h.dm(FAC, "aller partage")  # problem, offerer and contributor sharings
    told = h.told(FAC, "goto.unknown")
    assert told and "Partage de la personne qui offre la situation" in told[0].body
    assert h.s.kind is K.SITUATION
