"""B5 and B6: end-to-end latency of a command, against a raw echo bot on the same server.

A user client sends a command and waits for the answer; 200 times in a row (fewer in smoke
mode). The same user, in another room, sends a line to an echo bot written directly on the
platform's client library (about 20 lines), and waits for the echo. Both are measured in the
same run, alternately, so that the homeserver's and the machine's noise falls on both alike;
the ratio bot/echo at p50 and p95 is what the target is about.

- B5, Matrix: a local Synapse (``devkit.synapse_local``), the bot with its Matrix adapter, an
  echo bot on matrix-nio; the command is ``!atelier état``.
- B6, Mattermost: the Mattermost test server of the tests, the bot with its Mattermost
  adapter, an echo bot on mattermostdriver; same command.
"""

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from nio import AsyncClient, RoomMessageNotice, RoomMessageText, SyncResponse

from adapters.matrix import MatrixAdapter
from bot.app import build_engine
from bot.config import Config, MatrixSection, MattermostSection, StorageSection
from bot.runtime import Runtime
from bot.store import Store
from devkit.synapse_local import SYNAPSE_VENV, LocalSynapse, ensure_installed

__all__ = ["b5_matrix", "b6_mattermost"]

ROOT = Path(__file__).resolve().parents[1]


def _summary(bot: list[float], echo: list[float]) -> dict[str, float]:
    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))]

    return {
        "n": len(bot),
        "bot_p50": statistics.median(bot) * 1000,
        "bot_p95": pct(bot, 0.95) * 1000,
        "echo_p50": statistics.median(echo) * 1000,
        "echo_p95": pct(echo, 0.95) * 1000,
    }


async def _alternate(
    rounds: int,
    ask_bot: Callable[[int], Awaitable[float]],
    ask_echo: Callable[[int], Awaitable[float]],
) -> dict[str, float]:
    bot, echo = [], []
    for index in range(rounds):
        bot.append(await ask_bot(index))
        echo.append(await ask_echo(index))
    return _summary(bot, echo)


# -- B5: Matrix ------------------------------------------------------------------------------
class _MatrixEcho:
    """The baseline: a raw matrix-nio bot that repeats every text as a notice."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def run(self) -> None:
        async def echo(room, event) -> None:  # type: ignore[no-untyped-def]
            if event.sender != self.client.user_id:
                content = {"msgtype": "m.notice", "body": event.body}
                await self.client.room_send(room.room_id, "m.room.message", content)

        self.client.add_event_callback(echo, RoomMessageText)
        await self.client.sync(timeout=0)  # not the history
        await self.client.sync_forever(timeout=30_000)


async def _matrix_user_listener(client: AsyncClient, inbox: asyncio.Queue[tuple[str, str]]) -> None:
    while True:
        answer = await client.sync(timeout=30_000)
        if not isinstance(answer, SyncResponse):
            continue
        for room_id, info in answer.rooms.join.items():
            for event in info.timeline.events:
                if isinstance(event, RoomMessageNotice):
                    await inbox.put((room_id, event.body))


async def _ask(
    client: AsyncClient, inbox: asyncio.Queue[tuple[str, str]], room: str, text: str, expect: str
) -> float:
    started = time.perf_counter()
    await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
    while True:
        where, body = await asyncio.wait_for(inbox.get(), 30)
        if where == room and expect in body:
            return time.perf_counter() - started


async def _b5(folder: Path, rounds: int) -> dict[str, float]:
    server = LocalSynapse(folder / "synapse", ensure_installed(SYNAPSE_VENV))
    server.start()
    tasks: list[asyncio.Task[None]] = []
    try:
        accounts = {name: server.register(name, f"{name}-pw") for name in ("atelier", "echo", "u")}
        store = await Store.open(folder / "b5.db")
        settings = MatrixSection(
            homeserver=server.url, user_id=accounts["atelier"].user_id, password="atelier-pw"
        )
        config = Config(storage=StorageSection(path=folder / "b5.db"), matrix=settings)
        adapter = MatrixAdapter(settings, store, language="fr", key_dir=folder / "keys")
        runtime = Runtime(build_engine(config), store, [adapter])
        await runtime.start()
        echo = AsyncClient(server.url, accounts["echo"].user_id)
        await echo.login("echo-pw")
        user = AsyncClient(server.url, accounts["u"].user_id)
        await user.login("u-pw")
        bot_room = (await user.room_create(invite=[accounts["atelier"].user_id])).room_id
        echo_room = (await user.room_create(invite=[accounts["echo"].user_id])).room_id
        await echo.sync(timeout=0)
        await echo.join(echo_room)
        tasks.append(asyncio.get_running_loop().create_task(_MatrixEcho(echo).run()))
        inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        await user.sync(timeout=0)
        tasks.append(asyncio.get_running_loop().create_task(_matrix_user_listener(user, inbox)))
        await _ask(user, inbox, bot_room, "!atelier démarrer", "Accueil")
        await _ask(user, inbox, echo_room, "prêt ?", "prêt ?")
        result = await _alternate(
            rounds,
            lambda i: _ask(user, inbox, bot_room, "!atelier état", "Étape 1/18"),
            lambda i: _ask(user, inbox, echo_room, f"écho {i}", f"écho {i}"),
        )
        for task in tasks:
            task.cancel()
        await runtime.stop()
        await store.close()
        await echo.close()
        await user.close()
        return result
    finally:
        server.stop()


def b5_matrix(smoke: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        return asyncio.run(_b5(Path(tmp), 10 if smoke else 200))


# -- B6: Mattermost --------------------------------------------------------------------------
async def _b6(folder: Path, rounds: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    from mattermost_server import MattermostServer  # the tests' protocol-faithful server
    from mattermostdriver import Driver
    from mattermostdriver.websocket import Websocket

    from adapters.mattermost import MattermostAdapter, driver_options

    server = await MattermostServer().start()
    bot_user = server.add_user("atelier", "atelier-pw")
    echo_user = server.add_user("echo", "echo-pw")
    user = server.add_user("u", "u-pw")
    bot_channel = server.add_channel("atelier", [user["id"], bot_user["id"]])
    echo_channel = server.add_channel("echo", [user["id"], echo_user["id"]])

    def driver(name: str) -> Driver:
        settings = MattermostSection(url=server.url, login_id=name, password=f"{name}-pw")
        found = Driver(driver_options(settings))
        found.login()
        return found

    settings = MattermostSection(url=server.url, token=server.login_token("atelier"))
    store = await Store.open(folder / "b6.db")
    config = Config(storage=StorageSection(path=folder / "b6.db"), mattermost=settings)
    runtime = Runtime(
        build_engine(config), store, [MattermostAdapter(settings, store, language="fr")]
    )
    await runtime.start()

    echo = await asyncio.to_thread(driver, "echo")

    async def echo_handler(raw: str) -> None:  # the baseline: a raw mattermostdriver echo bot
        message = json.loads(raw)
        if message.get("event") == "posted":
            post = json.loads(message["data"]["post"])
            if post["user_id"] != echo.client.userid:
                await asyncio.to_thread(
                    echo.posts.create_post,
                    {"channel_id": post["channel_id"], "message": post["message"]},
                )

    someone = await asyncio.to_thread(driver, "u")
    inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def user_handler(raw: str) -> None:
        message = json.loads(raw)
        if message.get("event") == "posted":
            post = json.loads(message["data"]["post"])
            if post["user_id"] != someone.client.userid:
                await inbox.put((post["channel_id"], post["message"]))

    loop = asyncio.get_running_loop()
    tasks = [
        loop.create_task(Websocket(echo.options, echo.client.token).connect(echo_handler)),
        loop.create_task(Websocket(someone.options, someone.client.token).connect(user_handler)),
    ]
    await asyncio.sleep(0.5)

    async def ask(channel: str, text: str, expect: str) -> float:
        started = time.perf_counter()
        await asyncio.to_thread(someone.posts.create_post, {"channel_id": channel, "message": text})
        while True:
            where, body = await asyncio.wait_for(inbox.get(), 30)
            if where == channel and expect in body:
                return time.perf_counter() - started

    await ask(bot_channel, "!atelier démarrer", "Accueil")
    result = await _alternate(
        rounds,
        lambda i: ask(bot_channel, "!atelier état", "Étape 1/18"),
        lambda i: ask(echo_channel, f"écho {i}", f"écho {i}"),
    )
    for task in tasks:
        task.cancel()
    await runtime.stop()
    await store.close()
    await server.stop()
    return result


def b6_mattermost(smoke: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        return asyncio.run(_b6(Path(tmp), 10 if smoke else 200))
