"""First words with the bot: times as French people write them, the facilitator's welcome."""

import pytest
from conftest import FAC, goto, with_offerer

from bot import clock
from bot.formats import StepKind


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("16:30", (16, 30)),
        ("16h30", (16, 30)),
        ("16h", (16, 0)),
        ("9H05", (9, 5)),
        ("0h00", (0, 0)),
    ],
)
def test_clock_times_are_read_the_french_way(typed, expected):
    assert clock.parse_clock(typed) == expected


@pytest.mark.parametrize("typed", ["16", "²3h", "١٦h30", "24h", "16h60", "16h3", "h30", "9" * 5000])
def test_malformed_clock_times_are_refused_without_an_exception(typed):
    assert clock.parse_clock(typed) is None


@pytest.mark.parametrize("command", ["démarrer --fin 16h", "démarrer 16h", "start --end 16:00"])
def test_the_announced_end_is_understood_however_it_is_typed(h, command):
    h.cmd(FAC, command)  # the harness clock is 10:00, Paris time
    assert h.s is not None
    assert clock.clock(h.s.announced_end, h.s.timezone) == "16:00"


def test_an_unreadable_end_time_is_answered_kindly_and_starts_nothing(h):
    h.cmd(FAC, "démarrer --fin 25h")
    assert h.state is None
    assert h.said("start.bad_end", h.last)


def test_an_action_takes_its_date_after_quand_without_at_sign(h):
    with_offerer(h)
    goto(h, StepKind.ACTION_PLAN)
    h.cmd("alice", "action Appeler la mairie, quand : lundi")
    assert [(a.text, a.when) for a in h.s.actions] == [("Appeler la mairie", "lundi")]


def test_quand_with_a_no_break_space_before_the_colon_marks_the_date_too(h):
    with_offerer(h)
    goto(h, StepKind.ACTION_PLAN)
    h.cmd("alice", "action Appeler la mairie, quand\u202f: lundi")
    h.cmd("alice", "action Écrire au CCAS quand\u00a0: mardi")
    assert [(a.text, a.when) for a in h.s.actions] == [
        ("Appeler la mairie", "lundi"),
        ("Écrire au CCAS", "mardi"),
    ]


def test_the_facilitator_is_welcomed_privately_at_start_with_how_to_steer(h):
    effects = h.cmd(FAC, "démarrer")
    welcome = h.told(FAC, "guide.facilitator", effects)
    assert welcome
    for word in ("suivant", "prolonger 5", "pause", "terminer", "aide"):
        assert f"`{word}" in welcome[0].body
    assert "{" not in welcome[0].body  # every placeholder filled
