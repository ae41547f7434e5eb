"""The Mattermost test server behaves as the real one does where the bot depends on it."""

import asyncio
import json

import aiohttp
import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters

from adapters.mattermost import driver_options
from bot.config import MattermostSection


def _driver(server, name: str) -> Driver:  # type: ignore[no-untyped-def]
    settings = MattermostSection(url=server.url, login_id=name, password=f"{name}-pw")
    return Driver(driver_options(settings))


async def test_login_answers_200_with_a_token_header_and_exact_json_content_type(mattermost):
    mattermost.add_user("alice", "alice-pw")
    answer = await asyncio.to_thread(
        requests.post,
        f"{mattermost.url}/api/v4/users/login",
        json={"login_id": "alice", "password": "alice-pw"},
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Token"]
    driver = _driver(mattermost, "alice")
    me = await asyncio.to_thread(driver.login)
    assert me["username"] == "alice" and driver.client.token


async def test_errors_have_the_app_error_shape_and_malformed_ids_are_refused(mattermost):
    mattermost.add_user("alice", "alice-pw")
    driver = _driver(mattermost, "alice")
    await asyncio.to_thread(driver.login)
    with pytest.raises(InvalidOrMissingParameters):
        await asyncio.to_thread(driver.posts.get_post, "not-an-id")
    answer = await asyncio.to_thread(
        requests.get,
        f"{mattermost.url}/api/v4/channels/NOT_AN_ID/posts",
        headers={"Authorization": f"Bearer {driver.client.token}"},
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"id", "message", "detailed_error", "request_id", "status_code"}


async def test_a_request_off_the_published_schema_is_reported_as_a_violation(mattermost):
    mattermost.add_user("alice", "alice-pw")
    driver = _driver(mattermost, "alice")
    await asyncio.to_thread(driver.login)
    channel = mattermost.add_channel("c", [driver.client.userid])
    await asyncio.to_thread(driver.posts.create_post, {"channel_id": channel, "message": 42})
    assert any("message: 42 is not of type 'string'" in v for v in mattermost.violations)
    mattermost.violations.clear()  # this one was on purpose


async def test_websocket_authenticates_then_says_hello_and_sends_events_to_members_only(
    mattermost,
):
    alice = mattermost.add_user("alice", "alice-pw")
    bruno = mattermost.add_user("bruno", "bruno-pw")
    mattermost.add_user("chloe", "chloe-pw")
    channel = mattermost.add_channel("c", [alice["id"], bruno["id"]])
    async with aiohttp.ClientSession() as session:
        sockets = {}
        for name in ("alice", "chloe"):
            socket = await session.ws_connect(
                f"{mattermost.url.replace('http', 'ws')}/api/v4/websocket"
            )
            token = mattermost.login_token(name)
            await socket.send_str(
                json.dumps(
                    {"seq": 1, "action": "authentication_challenge", "data": {"token": token}}
                )
            )
            assert json.loads((await socket.receive()).data) == {"status": "OK", "seq_reply": 1}
            hello = json.loads((await socket.receive()).data)
            assert hello["event"] == "hello" and hello["seq"] == 0
            sockets[name] = socket
        driver = _driver(mattermost, "alice")
        await asyncio.to_thread(driver.login)
        await asyncio.to_thread(driver.posts.create_post, {"channel_id": channel, "message": "hi"})
        posted = json.loads((await sockets["alice"].receive(timeout=5)).data)  # own post too
        assert posted["event"] == "posted" and posted["seq"] == 1
        assert json.loads(posted["data"]["post"])["message"] == "hi"  # a JSON string
        with pytest.raises(asyncio.TimeoutError):
            await sockets["chloe"].receive(timeout=0.5)  # not a member
        for socket in sockets.values():
            await socket.close()
