"""The bot killed with SIGKILL mid-step, the homeserver stopped mid-atelier, messages resent."""

from pathlib import Path

from matrix_kit import heard, people_for, setup, texts, until
from people_kit import to_problem_search
from process_kit import BotProcess, StoreReader

from adapters.matrix import MatrixAdapter
from bot.effects import Say
from bot.ids import RoomId
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _write_config(synapse, tmp_path: Path, spm: float) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    bot = synapse.account("atelier")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "atelier.db"}"\n\n'
        f"[timing]\nseconds_per_minute = {spm}\n\n"
        f'[matrix]\nhomeserver = "{synapse.url}"\nuser_id = "{bot.user_id}"\n'
        f'password = "{bot.password}"\nallowed_inviters = [":localhost"]\n'
    )
    return config, bot.user_id


async def test_bot_killed_mid_step_resumes_the_same_step_with_inputs_and_no_repeats(
    synapse, tmp_path
):
    config, bot_user = _write_config(synapse, tmp_path, spm=60)
    reader = StoreReader(tmp_path / "atelier.db")
    bot = BotProcess(config, tmp_path / "bot.log")
    bot.start()
    await bot.listening()
    people = people_for(
        synapse,
        bot_user,
        synapse.accounts(["camille", "alice", "bruno"]),
        tmp_path / "people",
        reader.refs,
        reader.state,
    )
    try:
        room = await people.open(facilitator="camille")
        await to_problem_search(people)
        await people.dm("alice", "Garder les bénévoles après l'été")
        await heard(people, "votre problématique est notée (n° 1)", to="alice")
        before = await reader.state(room)

        bot.kill()
        # written while the bot is down: the homeserver has stored it when ``dm`` returns
        await people.dm("bruno", "Déléguer la comptabilité")
        bot.start()
        await _listening_again(bot)
        await heard(people, "votre problématique est notée (n° 2)", to="bruno")
        await people.dm("camille", "état")
        await heard(people, "Recherche de problématique", to="camille")
        after = await reader.state(room)
    finally:
        await bot.stop()
        await people.close()

    assert after is not None and before is not None
    assert after["step_index"] == before["step_index"] == 3
    assert after["timers"]["step"] == before["timers"]["step"]  # same remaining time
    assert [p["text"] for p in after["problems"]] == [
        "Garder les bénévoles après l'été",
        "Déléguer la comptabilité",
    ]
    assert reader.inputs("problem") == [
        "Garder les bénévoles après l'été",
        "Déléguer la comptabilité",
    ]
    room_texts = texts(people)
    assert sum("Étape 4/18" in t for t in room_texts) == 1
    assert sum("Bienvenue Bruno" in t for t in room_texts) == 1
    assert sum("notée (n° 1)" in t for t in texts(people, "alice")) == 1


async def test_homeserver_down_mid_atelier_then_back_gets_what_the_bot_owed(synapse, tmp_path):
    s = await setup(synapse, tmp_path, ["camille", "alice"], spm=3)
    bot, people = s.bot, s.people
    try:
        room = await people.open(facilitator="camille")
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await heard(people, "Bienvenue Alice")
        await people.dm("camille", "suivant")  # the presentation: 2 min → 6 s here
        await heard(people, "Étape 2/18 — Présentation")

        synapse.server.stop()  # synchronous: the bot, in this loop, runs on once it is down
        await until(  # the step's timer falls due while the homeserver is down
            "the presentation's timer to fire: ground rules",
            lambda: _at_step(bot, room, 2),
        )
        assert bot.store is not None and await bot.store.pending(room)  # owed, not lost
        synapse.server.start()

        await heard(people, "Étape 3/18 — Règles du jeu", limit=60)
        await until("the outbox to empty", lambda: _empty(bot, room))
    finally:
        if synapse.server.proc is None or synapse.server.proc.poll() is not None:
            synapse.server.start()
        await s.close()
    said = texts(people)
    ended = [i for i, t in enumerate(said) if "Présentation\u202f» est écoulé" in t]
    next_step = [i for i, t in enumerate(said) if "Étape 3/18" in t]
    assert len(ended) == 1 and len(next_step) == 1  # the timer fired once, nothing sent twice
    assert ended[0] < next_step[0]  # delivered in order


async def _empty(bot, room: str) -> bool:  # type: ignore[no-untyped-def]
    return not await bot.store.pending(room)


async def _at_step(bot, room: str, index: int) -> bool:  # type: ignore[no-untyped-def]
    state = await bot.state(room)
    return state is not None and state.step_index == index


async def _listening_again(bot: BotProcess) -> None:
    """The restarted process listens (its log file already holds the first start's line)."""
    await until(
        "the restarted bot to listen",
        lambda: bot.log.read_bytes().count(b"is listening") >= 2,
    )


async def test_an_effect_resent_with_the_same_key_is_posted_once(synapse, tmp_path):
    s = await setup(synapse, tmp_path, ["camille"])
    config, people = s.config, s.people
    try:
        room = await people.open(facilitator="camille")
        await s.bot.stop()  # a new adapter on the same store: as after a crash and restart
        store = await Store.open(config.storage.path)
        adapter = MatrixAdapter(config.matrix, store, language="fr", key_dir=tmp_path / "keys")
        await adapter.connect(_ignore)
        say = Say(room=RoomId(room), key="test", body="Une seule fois, s'il vous plaît.")
        first = await adapter.perform(say, idempotency_key="atelier-42")
        second = await adapter.perform(say, idempotency_key="atelier-42")
        # a marker posted after both: once people see it, they have seen whatever came before
        marker = Say(room=RoomId(room), key="test", body="Fin de l'essai.")
        await adapter.perform(marker, idempotency_key="atelier-43")
        await adapter.close()
        await store.close()
        await heard(people, "Fin de l'essai.")
    finally:
        await people.close()
    assert first == second
    assert sum("Une seule fois" in t for t in texts(people)) == 1


async def _ignore(_: object) -> None:
    return None
