"""Mattermost: the bot killed mid-step, the websocket dropped by the server, and TLS."""

import asyncio
import contextlib
import logging
import ssl
import subprocess
from pathlib import Path

import pytest
from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermost_server import MattermostServer
from mattermostdriver import Driver
from mattermostdriver.websocket import Websocket
from people_kit import heard, texts, to_problem_search, until
from process_kit import BotProcess, StoreReader

from adapters.mattermost import driver_options


async def test_bot_killed_mid_step_resumes_with_inputs_and_no_repeats(mattermost, tmp_path):
    config = bot_config(mattermost, tmp_path, spm=60)
    assert config.mattermost is not None
    (tmp_path / "config.toml").write_text(
        f'[storage]\npath = "{tmp_path / "atelier.db"}"\n\n[mattermost]\n'
        f'url = "{mattermost.url}"\ntoken = "{config.mattermost.token}"\n'
    )
    reader = StoreReader(tmp_path / "atelier.db")
    bot = BotProcess(tmp_path / "config.toml", tmp_path / "bot.log")
    bot.start()
    await bot.listening()
    people = MattermostPeople(
        mattermost, ["camille", "alice", "bruno"], refs=reader.refs, state=reader.state
    )
    try:
        room = await people.open(facilitator="camille")
        await to_problem_search(people)
        await people.dm("alice", "Garder les bénévoles après l'été")
        await heard(people, "votre problématique est notée (n° 1)", to="alice")
        before = await reader.state(room)

        bot.kill()
        await people.dm("bruno", "Déléguer la comptabilité")  # while the bot is down
        bot.start()
        await until(  # the log file already holds the first start's line
            "the restarted bot to listen",
            lambda: bot.log.read_bytes().count(b"is listening") >= 2,
        )
        await heard(people, "votre problématique est notée (n° 2)", to="bruno")
        after = await reader.state(room)
    finally:
        await bot.stop()
    assert before is not None and after is not None
    assert after["step_index"] == before["step_index"] == 3
    assert after["timers"]["step"] == before["timers"]["step"]
    assert [p["text"] for p in after["problems"]] == [
        "Garder les bénévoles après l'été",
        "Déléguer la comptabilité",
    ]
    assert sum("Étape 4/18" in t for t in texts(people)) == 1
    assert sum("notée (n° 1)" in t for t in texts(people, "alice")) == 1


async def test_websocket_dropped_mid_atelier_misses_nothing(mattermost, tmp_path):
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(
        mattermost, ["camille", "alice", "bruno"], refs=bot.refs, state=bot.state
    )
    try:
        room = await people.open(facilitator="camille")
        await to_problem_search(people)
        refusals = _Refusals()
        mattermost.refuse_websockets = refusals  # type: ignore[assignment]
        await mattermost.drop_websockets()
        assert bot.adapter is not None
        await until("the bot to notice", lambda: not bot.adapter.connected.is_set())
        await people.dm("alice", "Garder les bénévoles")  # no websocket to bring these
        await people.say("bruno", "!atelier problème Déléguer la comptabilité")
        seen = refusals.count
        await until(  # it keeps trying, and the posts wait for it on the server
            "the bot to be refused a websocket again after those posts",
            lambda: refusals.count > seen,
        )
        mattermost.refuse_websockets = False
        await heard(people, "votre problématique est notée (n° 2)", to="bruno", limit=60)
        state = await bot.state(room)
    finally:
        await bot.stop()
    assert state is not None
    assert [p.text for p in state.problems] == ["Garder les bénévoles", "Déléguer la comptabilité"]
    assert sum("notée (n° 1)" in t for t in texts(people, "alice")) == 1


class _Refusals:
    """True for the test server's ``refuse_websockets``; counts the upgrades it refused."""

    def __init__(self) -> None:
        self.count = 0

    def __bool__(self) -> bool:
        self.count += 1
        return True


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def tls_mattermost(certificate):  # type: ignore[no-untyped-def]
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = await MattermostServer().start(tls=context)
    try:
        yield server
    finally:
        await server.stop()
    assert server.violations == []


async def test_bot_runs_over_https_and_a_tls_websocket(tls_mattermost, certificate, tmp_path):
    cert, _ = certificate
    config = bot_config(tls_mattermost, tmp_path, spm=60, url=tls_mattermost.tls_url, ca_file=cert)
    bot = await MattermostBot(config).start()  # waits for the websocket's hello over wss://
    people = MattermostPeople(tls_mattermost, ["camille"], refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="camille")
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Étape 1/18 — Accueil")
    finally:
        await bot.stop()


async def test_the_driver_s_own_websocket_cannot_do_tls_which_is_why_the_adapter_has_its_own(
    tls_mattermost, certificate, caplog
):
    """Upstream #115: a server-side TLS context; the adapter's subclass exists for this."""
    cert, _ = certificate
    config = bot_config(tls_mattermost, Path("/nonexistent"), 60, url=tls_mattermost.tls_url)
    assert config.mattermost is not None
    options = Driver({**driver_options(config.mattermost), "verify": str(cert)}).options
    options["keepalive_delay"] = 0.1
    socket = Websocket(options, config.mattermost.token)
    caplog.set_level(logging.WARNING, logger="mattermostdriver.websocket")

    async def ignore(_: str) -> None:
        return None

    connecting = asyncio.get_running_loop().create_task(socket.connect(ignore))
    try:
        await until(
            "the driver's websocket to fail on its server-side TLS context",
            lambda: "PROTOCOL_TLS_SERVER" in caplog.text,
        )
        assert not connecting.done()  # it never connects: it retries, and fails the same way
    finally:
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await connecting
