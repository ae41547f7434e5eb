"""The Mattermost test server is as strict as the real one where the bot meets it (issue 12 §1):
pins go through the edit path, limits and rate limits answer as Mattermost does, a
``pending_post_id`` is remembered 30 seconds, private and group channels, bots and webhooks,
sessions that end."""

import asyncio
import json
from typing import Any

import aiohttp
import pytest
import requests
from mattermost_server import MAX_POST_RUNES, MAX_REQUEST_BYTES, PENDING_POST_TTL, RateLimit
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    ContentTooLarge,
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
)

from adapters.mattermost import driver_options
from bot.config import MattermostSection


async def _call(function, *args):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(function, *args)


async def _people(mattermost, *names: str) -> dict[str, Driver]:  # type: ignore[no-untyped-def]
    drivers = {}
    for name in names:
        mattermost.add_user(name, f"{name}-pw")
        settings = MattermostSection(url=mattermost.url, login_id=name, password=f"{name}-pw")
        drivers[name] = Driver(driver_options(settings))
        await _call(drivers[name].login)
    return drivers


class _Socket:
    """One person's websocket, authenticated, hello read."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket

    async def next(self, event: str) -> dict[str, Any]:
        while True:
            message = json.loads((await self.socket.receive(timeout=10)).data)
            if message.get("event") == event:
                return dict(message)


async def _listen(session, mattermost, driver: Driver) -> _Socket:  # type: ignore[no-untyped-def]
    socket = await session.ws_connect(f"{mattermost.url.replace('http', 'ws')}/api/v4/websocket")
    challenge = {"seq": 1, "action": "authentication_challenge", "data": {}}
    challenge["data"] = {"token": driver.client.token}
    await socket.send_str(json.dumps(challenge))
    assert json.loads((await socket.receive()).data)["status"] == "OK"
    assert json.loads((await socket.receive()).data)["event"] == "hello"
    return _Socket(socket)


async def test_pinning_goes_through_the_edit_path_and_sends_post_edited_with_the_same_text(
    mattermost,
):
    """api4/post.go ``saveIsPinnedPost`` → ``PatchPost``: ``post_edited``, ``is_pinned``,
    ``update_at`` moved, ``edit_at`` and the message unchanged; any member may pin."""
    people = await _people(mattermost, "alice", "bruno")
    ids = [d.client.userid for d in people.values()]
    channel = mattermost.add_channel("c", ids)
    post = await _call(people["alice"].posts.create_post, {"channel_id": channel, "message": "x"})
    async with aiohttp.ClientSession() as session:
        alice = await _listen(session, mattermost, people["alice"])
        await _call(people["bruno"].posts.pin_post_to_channel, post["id"])
        edited = json.loads((await alice.next("post_edited"))["data"]["post"])
        await alice.socket.close()
    assert edited["id"] == post["id"] and edited["is_pinned"] is True
    assert edited["message"] == "x" and edited["edit_at"] == 0
    assert edited["update_at"] > post["update_at"]
    since = await _call(
        people["alice"].posts.get_posts_for_channel, channel, {"since": post["update_at"]}
    )
    assert post["id"] in since["order"]  # a client catching up sees the pin as a change
    await _call(people["bruno"].posts.unpin_post_to_channel, post["id"])
    assert mattermost.posts[post["id"]]["is_pinned"] is False


async def test_a_message_over_16383_characters_is_400_and_a_body_over_300_kb_is_413(mattermost):
    """model/post.go ``IsValid``; web/handlers.go ``MaxBytesReader`` at
    ``MaximumPayloadSizeBytes`` + 512 → ``api.context.request_body_too_large.app_error``."""
    people = await _people(mattermost, "alice")
    alice = people["alice"]
    channel = mattermost.add_channel("c", [alice.client.userid])
    with pytest.raises(InvalidOrMissingParameters):
        await _call(
            alice.posts.create_post, {"channel_id": channel, "message": "x" * (MAX_POST_RUNES + 1)}
        )
    ok = await _call(
        alice.posts.create_post, {"channel_id": channel, "message": "x" * MAX_POST_RUNES}
    )
    assert ok["id"]
    props = {"blob": "y" * MAX_REQUEST_BYTES}
    large = {"channel_id": channel, "message": "z", "props": props}
    with pytest.raises(ContentTooLarge):
        await _call(alice.posts.create_post, large)
    answer = await _call(
        lambda: requests.post(
            f"{mattermost.url}/api/v4/posts",
            json=large,
            headers={"Authorization": f"Bearer {alice.client.token}"},
        )
    )
    assert answer.status_code == 413
    assert answer.json()["id"] == "api.context.request_body_too_large.app_error"


async def test_a_rate_limited_client_gets_429_with_limit_headers_in_seconds(mattermost):
    """app/ratelimit.go: ``X-Ratelimit-Limit``, ``-Remaining``, ``-Reset`` (seconds) on every
    answer, ``Retry-After`` and "limit exceeded" when refused."""
    people = await _people(mattermost, "alice")
    alice = people["alice"]
    mattermost.rate_limits[alice.client.userid] = RateLimit(per_second=0.5, burst=1)
    answers = []
    for _ in range(3):
        answers.append(
            await _call(
                lambda: requests.get(
                    f"{mattermost.url}/api/v4/users/me",
                    headers={"Authorization": f"Bearer {alice.client.token}"},
                )
            )
        )
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["X-Ratelimit-Limit"] == "2"
    assert answers[1].headers["X-Ratelimit-Remaining"] == "0"
    refused = answers[2]
    assert refused.text.startswith("limit exceeded")
    assert 1 <= int(refused.headers["X-Ratelimit-Reset"]) <= 4
    assert 1 <= int(refused.headers["Retry-After"]) <= 2


async def test_a_pending_post_id_posts_once_for_30_seconds_then_posts_again(mattermost):
    """app/post.go ``deduplicateCreatePost``: the same ``pending_post_id`` within the cache's
    30 s answers the first post; after it, a new post (the server's clock is moved on)."""
    now = [1000.0]
    mattermost.clock = lambda: now[0]
    people = await _people(mattermost, "alice")
    alice = people["alice"]
    channel = mattermost.add_channel("c", [alice.client.userid])
    body = {"channel_id": channel, "message": "once", "pending_post_id": "k1"}
    first = await _call(alice.posts.create_post, body)
    now[0] += PENDING_POST_TTL - 1
    again = await _call(alice.posts.create_post, body)
    assert again["id"] == first["id"]
    now[0] += 2
    later = await _call(alice.posts.create_post, body)
    assert later["id"] != first["id"]
    assert [p["message"] for p in mattermost.posts_by(alice.client.userid)] == ["once", "once"]


async def test_private_and_group_channels_are_listed_with_their_type_and_posts_say_it(
    mattermost,
):
    """``P`` channels belong to the team, ``G`` ones (``POST /channels/group``, 3 to 8 people)
    to none and are listed with the direct ones (channel_store.go ``GetChannels``); ``posted``
    carries ``channel_type``."""
    people = await _people(mattermost, "alice", "bruno", "chloe")
    alice, bruno, chloe = (people[n].client.userid for n in ("alice", "bruno", "chloe"))
    private = mattermost.add_channel("secret", [alice, bruno], private=True)
    with pytest.raises(InvalidOrMissingParameters):
        await _call(people["alice"].channels.create_group_message_channel, [alice, bruno])
    group = await _call(people["alice"].channels.create_group_message_channel, [bruno, chloe])
    same = await _call(people["bruno"].channels.create_group_message_channel, [alice, chloe])
    assert group["type"] == "G" and group["id"] == same["id"] and group["team_id"] == ""
    assert group["display_name"] == "alice, bruno, chloe"
    listed = await _call(people["alice"].channels.get_channels_for_user, alice, mattermost.team_id)
    assert {c["id"]: c["type"] for c in listed} == {private: "P", group["id"]: "G"}
    async with aiohttp.ClientSession() as session:
        socket = await _listen(session, mattermost, people["chloe"])
        await _call(people["bruno"].posts.create_post, {"channel_id": group["id"], "message": "hi"})
        posted = await socket.next("posted")
        await socket.socket.close()
    assert posted["data"]["channel_type"] == "G"
    with pytest.raises(InvalidOrMissingParameters):  # nobody is removed from a group message
        await _call(people["alice"].channels.remove_channel_member, group["id"], bruno)


async def test_posts_of_bot_accounts_and_webhooks_say_so_in_their_props(mattermost):
    """app/post.go ``CreatePost`` adds ``from_bot`` for a bot account; app/webhook.go
    ``CreateWebhookPost`` adds ``from_webhook``; the user says ``is_bot``."""
    people = await _people(mattermost, "alice")
    alice = people["alice"]
    robot = mattermost.add_user("robot", "robot-pw", bot=True)
    channel = mattermost.add_channel("c", [alice.client.userid, robot["id"]])
    by_bot = await mattermost.post_as(robot["id"], channel, "beep")
    hooked = await mattermost.webhook_post(alice.client.userid, channel, "from CI")
    assert by_bot["props"] == {"from_bot": "true"}
    assert hooked["props"] == {"from_webhook": "true"} and hooked["user_id"] == alice.client.userid
    assert (await _call(alice.users.get_user, robot["id"]))["is_bot"] is True


async def test_a_revoked_session_answers_401_and_its_websocket_login_fails(mattermost):
    """web/handlers.go: an unknown session is 401 ``api.context.session_expired.app_error``;
    a websocket already open stays open but silent (app/platform/web_conn.go
    ``ShouldSendEvent``); a new one is closed at its challenge, unanswered
    (app/platform/websocket_router.go); logging in again gives a working token."""
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])
    old = alice.client.token
    async with aiohttp.ClientSession() as session:
        listening = await _listen(session, mattermost, alice)
        mattermost.revoke_sessions(alice.client.userid)
        await _call(bruno.posts.create_post, {"channel_id": channel, "message": "hi"})
        with pytest.raises(asyncio.TimeoutError):
            await listening.socket.receive(timeout=0.5)
        assert not listening.socket.closed
        await listening.socket.close()
    with pytest.raises(NoAccessTokenProvided):
        await _call(alice.users.get_user, "me")
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(
            f"{mattermost.url.replace('http', 'ws')}/api/v4/websocket"
        )
        challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": old}}
        await socket.send_str(json.dumps(challenge))
        assert (await socket.receive()).type == aiohttp.WSMsgType.CLOSE
        await socket.close()
    await _call(alice.login)
    assert alice.client.token != old
    assert (await _call(alice.users.get_user, "me"))["username"] == "alice"


async def test_reactions_edits_and_deletions_while_a_client_had_no_websocket_are_not_replayed(
    mattermost,
):
    """api4/websocket.go ``connectWebSocket``: without its former ``connection_id`` a client gets
    a fresh connection, and nothing it missed: the first event on the new websocket is the
    first one sent after it opened."""
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])
    post = await _call(alice.posts.create_post, {"channel_id": channel, "message": "vote"})
    gone = await _call(alice.posts.create_post, {"channel_id": channel, "message": "oops"})
    async with aiohttp.ClientSession() as session:
        socket = await _listen(session, mattermost, alice)
        await socket.socket.close()
        reaction = {"user_id": bruno.client.userid, "post_id": post["id"], "emoji_name": "one"}
        await _call(bruno.reactions.create_reaction, reaction)
        await _call(alice.posts.patch_post, post["id"], {"message": "vote!"})
        await _call(alice.posts.delete_post, gone["id"])
        socket = await _listen(session, mattermost, alice)
        await _call(bruno.posts.create_post, {"channel_id": channel, "message": "back"})
        first = json.loads((await socket.socket.receive(timeout=5)).data)
        await socket.socket.close()
    assert first["event"] == "posted"
    assert json.loads(first["data"]["post"])["message"] == "back"
