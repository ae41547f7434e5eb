"""A flood of bad commands on a homeserver with Synapse's default message rate limit (0.2/s,
burst 10, not the tests' relaxed one): the flooder is answered a few times, and the others'
commands are still answered (issue 15 §3)."""

import pytest
from matrix_kit import Homeserver, heard, setup, texts, until

from bot.flood import ANSWERED
from devkit.synapse_local import SYNAPSE_VENV, LocalSynapse, ensure_installed

#: Synapse's own default for rc_message (docs: "rc_message", per_second 0.2, burst_count 10)
DEFAULT_RC_MESSAGE = {"per_second": 0.2, "burst_count": 10}


@pytest.fixture(scope="module")
def strict_synapse(tmp_path_factory):  # type: ignore[no-untyped-def]
    server = LocalSynapse(
        tmp_path_factory.mktemp("strict-synapse"),
        ensure_installed(SYNAPSE_VENV),
        overrides={"rc_message": DEFAULT_RC_MESSAGE},
    )
    server.start()
    try:
        yield Homeserver(server)
    finally:
        server.stop()


async def test_a_flood_of_bad_commands_gets_a_few_answers_and_others_are_still_answered(
    strict_synapse, tmp_path
):
    s = await setup(strict_synapse, tmp_path, ["camille", "alice", "bruno"])
    try:
        await s.people.open(facilitator="camille")
        await s.people.say("camille", "!atelier démarrer")
        await s.people.say("alice", "!atelier rejoindre")
        await heard(s.people, "Bienvenue Alice")
        for n in range(8):  # within alice's own burst: her messages all reach the room
            await s.people.say("alice", f"!atelier zzz{n}")
        await s.people.say("bruno", "!atelier aide")
        await heard(s.people, "Ce que vous pouvez faire", to="bruno", limit=90)
        await until("the outbox to empty", lambda: _empty(s.bot, s.people.room), 90)
        answers = [t for t in texts(s.people) if "Je n'ai pas compris" in t]
        assert 1 <= len(answers) <= ANSWERED
    finally:
        await s.close()


async def _empty(bot, room) -> bool:  # type: ignore[no-untyped-def]
    return await bot.store.pending(room) == []
