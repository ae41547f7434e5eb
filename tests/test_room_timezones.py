"""A room's own time zone (``[rooms."<room id>"] timezone``): a group in Montréal reads and
writes its times in Montréal's, while the others keep ``[bot] timezone``."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from planning_kit import PlanHarness

from bot.config import ConfigError, load_config
from bot.engine import Engine, EngineSettings
from bot.formats import load_formats
from bot.testing import EngineHarness

MONTREAL = "America/Montreal"


def _at(text: str, zone: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone)).timestamp()


def test_an_end_time_typed_in_a_montreal_room_is_montreal_time():
    """``démarrer --fin 16h30`` there means 16:30 in Montréal (22:30 in Paris)."""
    room = EngineHarness().room
    settings = EngineSettings(room_timezones=((room, MONTREAL),))
    h = EngineHarness(engine=Engine(settings, load_formats()))
    h.cmd("fac", "démarrer --fin 16h30")
    assert h.s.timezone == MONTREAL
    assert h.s.announced_end == _at("2026-01-01 16:30", MONTREAL)
    assert "16:30" in h.said("start.planned")[0].body


def test_another_room_keeps_the_bot_s_time_zone():
    settings = EngineSettings(room_timezones=(("!ailleurs:test", MONTREAL),))
    h = EngineHarness(engine=Engine(settings, load_formats()))
    h.cmd("fac", "démarrer --fin 16h30")
    assert h.s.timezone == "Europe/Paris"
    assert h.s.announced_end == _at("2026-01-01 16:30", "Europe/Paris")


def test_a_session_planned_in_a_montreal_room_starts_at_montreal_s_14h():
    h = PlanHarness(timezone=MONTREAL)
    h.cmd("camille", "planifier 12/01 14h")
    assert h.a.sessions[0].start == _at("2026-01-12 14:00", MONTREAL)
    assert "12 janvier à 14\u202fh" in h.said("agenda.invitation")[0].body


def test_a_room_s_time_zone_is_validated_with_a_clear_message(tmp_path):
    """An unknown zone is refused naming the key; a room may set only its zone."""
    config = tmp_path / "config.toml"
    config.write_text('[rooms."!a:test"]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[rooms\] !a:test.timezone"):
        load_config(config, environ={})
    config.write_text(f'[rooms."!a:test"]\ntimezone = "{MONTREAL}"\n', encoding="utf-8")
    loaded = load_config(config, environ={})
    assert loaded.rooms["!a:test"].timezone == MONTREAL
    assert loaded.rooms["!a:test"].retention_days is None
