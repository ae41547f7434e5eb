"""Matrix: the bot's keys are the owner's alone, sealed with a key of this installation, and
the private rooms it opens are encrypted (issue 15 §4)."""

import stat

from matrix_kit import heard, setup, until
from nio import RoomGetStateEventResponse

from adapters.matrix_session import LEGACY_PICKLE_KEY, PICKLE_KEY, PICKLE_KEY_ENV


def _mode(path) -> int:  # type: ignore[no-untyped-def]
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_key_directory_is_owner_only_and_sealed_with_a_key_of_this_installation(
    synapse, tmp_path
):
    """0700 for the directory, 0600 for every file nio wrote there; a pickle key generated for
    this installation (another installation gets another), kept in the bot's store."""
    first = await setup(synapse, tmp_path / "one", [])
    second = await setup(synapse, tmp_path / "two", [])
    try:
        keys = first.bot.adapter.key_dir
        assert _mode(keys) == 0o700
        files = [p for p in keys.rglob("*") if p.is_file()]
        assert files and all(_mode(p) == 0o600 for p in files), [
            (p.name, oct(_mode(p))) for p in files
        ]
        one = await first.bot.store.get(PICKLE_KEY)
        two = await second.bot.store.get(PICKLE_KEY)
        assert one and two and len({one, two, LEGACY_PICKLE_KEY}) == 3
    finally:
        await first.close()
        await second.close()


async def test_a_key_directory_open_to_others_is_closed_at_start_up(synapse, tmp_path):
    s = await setup(synapse, tmp_path, [])
    keys = s.bot.adapter.key_dir
    await s.bot.stop()
    keys.chmod(0o755)
    for path in keys.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    s.bot = await type(s.bot)(s.config).start()
    try:
        assert _mode(keys) == 0o700
        assert all(_mode(p) == 0o600 for p in keys.rglob("*") if p.is_file())
    finally:
        await s.close()


async def test_a_private_room_the_bot_opens_is_encrypted_and_its_messages_are_read(
    synapse, tmp_path
):
    """Alice has no private room with the bot: the one it opens to answer her is encrypted
    (``m.room.encryption`` in its state), and she reads the answer."""
    s = await setup(synapse, tmp_path, ["camille", "alice"])
    people = s.people
    try:
        await people.open(facilitator="camille", private_rooms=False)
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("alice", "!atelier rejoindre")  # answered privately: already joined
        await heard(people, "Vous faites déjà partie des personnes inscrites", to="alice")
        await until("alice's private room", lambda: "alice" in people.direct)
        state = await people.clients["alice"].room_get_state_event(
            people.direct["alice"], "m.room.encryption"
        )
    finally:
        await s.close()
    assert isinstance(state, RoomGetStateEventResponse)
    assert state.content["algorithm"] == "m.megolm.v1.aes-sha2"
    assert "(illisible)" not in [h.text for h in people.heard if h.to == "alice"]


async def test_a_key_store_sealed_with_nio_s_default_key_still_opens_with_a_warning(
    synapse, tmp_path, monkeypatch, caplog
):
    """An installation from before the per-installation key (sealed with nio's constant, as
    ``ATELIER_MATRIX_PICKLE_KEY`` can also give) keeps its device and keys, and is told how
    to leave that key."""
    monkeypatch.setenv(PICKLE_KEY_ENV, LEGACY_PICKLE_KEY)
    s = await setup(synapse, tmp_path, [])
    assert await s.bot.store.get(PICKLE_KEY) is None  # given, not kept
    device = s.bot.adapter.client.device_id
    await s.bot.stop()
    monkeypatch.delenv(PICKLE_KEY_ENV)
    s.bot = await type(s.bot)(s.config).start()
    try:
        assert s.bot.adapter.client.device_id == device
        assert s.bot.adapter.client.olm is not None  # the key store opened
        assert await s.bot.store.get(PICKLE_KEY) == LEGACY_PICKLE_KEY
        assert "sealed with nio's default key" in caplog.text
    finally:
        await s.close()
