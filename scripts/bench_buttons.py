"""B6b: button → answer latency on Mattermost, against a raw button integration.

The Mattermost test server with its integrations (``tests/mattermost_integrations.py``), the
bot serving its endpoint. A user clicks a button of the bot's (``POST
/posts/{id}/actions/{action}``: the server calls the bot's endpoint, which queues the click
for the runtime and answers at once; the engine decides, the store commits, the answer is
posted privately) and waits for the answer on their websocket; 200 times in a row (fewer in
smoke mode). The button is join, clicked by the facilitator: it changes nothing and the bot
says so privately, every time — the whole path, repeatable.

The baseline, measured alternately in the same run: a raw integration of about 20 lines (an
aiohttp handler that posts its answer with mattermostdriver, then returns), behind a button
of its own on the same server. The ratio bot/raw at p50 and p95 is what the target is about.
"""

import asyncio
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web
from bench_latency import _alternate

from bot.app import build_engine
from bot.config import Config, MattermostSection, StorageSection
from bot.runtime import Runtime
from bot.store import Store

__all__ = ["b6b_buttons"]

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _b6b(folder: Path, rounds: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    from mattermost_integrations import install  # the tests' server, and its integrations
    from mattermost_server import MattermostServer
    from mattermostdriver import Driver
    from mattermostdriver.websocket import Websocket

    from adapters.mattermost import MattermostAdapter, driver_options
    from adapters.mattermost_setup import register

    server = await MattermostServer().start()
    integrations = install(server, allowed_internal={"127.0.0.1"})
    bot_user = server.add_user("atelier", "atelier-pw")
    echo_user = server.add_user("echo", "echo-pw")
    user = server.add_user("u", "u-pw")
    integrations.team_admins.add(bot_user["id"])
    channel = server.add_channel("atelier", [user["id"], bot_user["id"]])

    def driver(name: str) -> Driver:
        settings = MattermostSection(url=server.url, login_id=name, password=f"{name}-pw")
        found = Driver(driver_options(settings))
        found.login()
        return found

    port = _free_port()
    settings = MattermostSection(
        url=server.url,
        token=server.login_token("atelier"),
        listen=f"127.0.0.1:{port}",
        public_url=f"http://127.0.0.1:{port}",
    )
    said: list[str] = []
    await asyncio.to_thread(register, settings, said.append)
    settings = settings.model_copy(update={"command_token": said[-1].split('"')[1]})
    store = await Store.open(folder / "b6b.db")
    config = Config(storage=StorageSection(path=folder / "b6b.db"), mattermost=settings)
    runtime = Runtime(
        build_engine(config), store, [MattermostAdapter(settings, store, language="fr")]
    )
    await runtime.start()

    # the baseline: a raw button integration that answers privately with mattermostdriver
    echo = await asyncio.to_thread(driver, "echo")
    someone = await asyncio.to_thread(driver, "u")
    echo_dm = await asyncio.to_thread(
        echo.channels.create_direct_message_channel, [echo_user["id"], user["id"]]
    )

    async def clicked(request: web.Request) -> web.Response:
        payload = await request.json()
        answer = {"channel_id": echo_dm["id"], "message": f"écho {payload['context']['n']}"}
        await asyncio.to_thread(echo.posts.create_post, answer)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/echo", clicked)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    echo_port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", echo_port).start()

    inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def user_handler(raw: str) -> None:
        message = json.loads(raw)
        if message.get("event") == "posted":
            post = json.loads(message["data"]["post"])
            if post["user_id"] != someone.client.userid:
                await inbox.put((post["channel_id"], post["message"]))

    socket_task = asyncio.get_running_loop().create_task(
        Websocket(someone.options, someone.client.token).connect(user_handler)
    )
    await asyncio.sleep(0.5)

    async def wait_for(expect: str) -> None:
        while True:
            _, body = await asyncio.wait_for(inbox.get(), 30)
            if expect in body:
                return

    await asyncio.to_thread(
        someone.posts.create_post, {"channel_id": channel, "message": "!atelier démarrer"}
    )
    await wait_for("Accueil")
    welcome = None
    while welcome is None:  # the reference is kept once the post is delivered
        welcome = await store.message_for_ref("mattermost:" + channel, "welcome")
        await asyncio.sleep(0.01)

    async def click_bot(index: int) -> float:
        started = time.perf_counter()
        await asyncio.to_thread(someone.client.post, f"/posts/{welcome}/actions/join", {})
        await wait_for("Ce clic ne change rien")
        return time.perf_counter() - started

    async def click_echo(index: int) -> float:
        button = {
            "id": "echo",
            "name": "Écho",
            "type": "button",
            "integration": {"url": f"http://127.0.0.1:{echo_port}/echo", "context": {"n": index}},
        }
        props = {"attachments": [{"text": "", "actions": [button]}]}
        post = await asyncio.to_thread(
            echo.posts.create_post, {"channel_id": echo_dm["id"], "message": "?", "props": props}
        )
        await wait_for("?")  # the button's own post, not measured
        started = time.perf_counter()
        await asyncio.to_thread(someone.client.post, f"/posts/{post['id']}/actions/echo", {})
        await wait_for(f"écho {index}")
        return time.perf_counter() - started

    result = await _alternate(rounds, click_bot, click_echo)
    socket_task.cancel()
    await runtime.stop()
    await store.close()
    await runner.cleanup()
    await server.stop()
    return result


def b6b_buttons(smoke: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        return asyncio.run(_b6b(Path(tmp), 10 if smoke else 200))
