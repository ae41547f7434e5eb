"""A message deleted on Matrix (a redaction) withdraws the input it gave, when its author or a
room moderator deleted it (issue 15 §2)."""

import pytest
from matrix_kit import heard, setup, until
from nio import MatrixRoom

from adapters.matrix_events import may_redact


async def _rules(bot, room) -> list[str]:  # type: ignore[no-untyped-def]
    state = await bot.state(room)
    return [] if state is None else [rule.text for rule in state.rules]


async def test_a_rule_redacted_by_its_author_or_a_moderator_leaves_the_atelier(synapse, tmp_path):
    """Alice deletes her rule: gone. The facilitator (the room's creator, power 100) deletes
    Bruno's: gone. Driss (power 0) may not delete Alice's (the homeserver refuses; a remote
    one might not: ``may_redact`` below), and his own rule stays."""
    s = await setup(synapse, tmp_path, ["camille", "alice", "bruno", "driss"])
    bot, people = s.bot, s.people
    try:
        room = await people.open(facilitator="camille")
        await people.say("camille", "!atelier démarrer")
        for name in ("alice", "bruno", "driss"):
            await people.say(name, "!atelier rejoindre")
        await people.dm("camille", "aller 3")
        await heard(people, "Étape 3/18 — Règles du jeu")
        alices = await people.say("alice", "On parle en « je »")
        brunos = await people.say("bruno", "On se tutoie")
        await people.say("driss", "On coupe les téléphones")
        await until("three rules", lambda: _count(bot, room, 3))

        with pytest.raises(RuntimeError, match="M_FORBIDDEN"):  # Synapse: not a moderator
            await people.redact("driss", alices)
        await people.redact("alice", alices)
        await until("alice's rule withdrawn", lambda: _count(bot, room, 2))
        await people.redact("camille", brunos)
        await until("bruno's rule withdrawn", lambda: _count(bot, room, 1))
        assert await _rules(bot, room) == ["On coupe les téléphones"]
    finally:
        await s.close()


async def _count(bot, room, n) -> bool:  # type: ignore[no-untyped-def]
    return len(await _rules(bot, room)) == n


def _room(levels: dict[str, int], redact: int = 50) -> MatrixRoom:
    room = MatrixRoom("!r:test", "@bot:test")
    room.power_levels.users.update(levels)
    room.power_levels.defaults.redact = redact
    return room


def test_only_creators_and_people_at_the_redact_or_moderator_level_may_redact_others():
    """A redaction by someone else counts only from a moderator: a remote server may send a
    redaction the bot's homeserver would have refused."""
    room = _room({"@mod:test": 50, "@admin:test": 100, "@low:test": 10})
    assert may_redact(room, "@mod:test", set())
    assert may_redact(room, "@admin:test", set())
    assert not may_redact(room, "@low:test", set())
    assert not may_redact(room, "@nobody:test", set())
    assert may_redact(room, "@nobody:test", {"@nobody:test"})  # room version 12 creators
    assert may_redact(_room({"@low:test": 10}, redact=10), "@low:test", set())
