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


# -- what a client needs to catch up after an outage -------------------------------------------
async def _people(mattermost, *names: str) -> dict[str, Driver]:  # type: ignore[no-untyped-def]
    drivers = {}
    for name in names:
        mattermost.add_user(name, f"{name}-pw")
        drivers[name] = _driver(mattermost, name)
        await asyncio.to_thread(drivers[name].login)
    return drivers


async def _call(function, *args):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(function, *args)


async def test_since_answers_every_post_changed_after_a_moment_deleted_ones_included(mattermost):
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])

    async def post(text: str) -> dict:  # type: ignore[type-arg]
        return await _call(alice.posts.create_post, {"channel_id": channel, "message": text})

    untouched, edited, reacted, deleted = [await post(t) for t in ("a", "b", "c", "d")]
    since = deleted["create_at"]
    created = await post("e")
    await _call(alice.posts.patch_post, edited["id"], {"message": "b, edited"})
    reaction = {"user_id": bruno.client.userid, "post_id": reacted["id"], "emoji_name": "one"}
    await _call(bruno.reactions.create_reaction, reaction)
    await _call(alice.posts.delete_post, deleted["id"])

    answer = await _call(alice.posts.get_posts_for_channel, channel, {"since": since})
    posts = answer["posts"]
    assert untouched["id"] not in posts
    assert {created["id"], edited["id"], reacted["id"], deleted["id"]} <= set(answer["order"])
    assert posts[edited["id"]]["message"] == "b, edited"
    assert posts[edited["id"]]["edit_at"] > since
    old = [p for p in posts.values() if p["original_id"] == edited["id"]]  # the text before
    assert [(p["message"], p["delete_at"] > 0) for p in old] == [("b", True)]
    assert posts[deleted["id"]]["delete_at"] > since
    assert posts[reacted["id"]]["update_at"] > since  # a reaction bumps the post
    assert posts[reacted["id"]]["has_reactions"] is True
    assert [r["emoji_name"] for r in posts[reacted["id"]]["metadata"]["reactions"]] == ["one"]
    create_ats = [posts[pid]["create_at"] for pid in answer["order"]]
    assert create_ats == sorted(create_ats, reverse=True)  # newest first

    later = max(p["update_at"] for p in posts.values())
    await _call(bruno.reactions.delete_reaction, bruno.client.userid, reacted["id"], "one")
    answer = await _call(alice.posts.get_posts_for_channel, channel, {"since": later})
    assert answer["order"] == [reacted["id"]]  # taking a reaction back bumps it too
    assert answer["posts"][reacted["id"]]["has_reactions"] is False


async def test_since_answers_at_most_1000_posts_and_before_pages_through_all_200_at_a_time(
    mattermost,
):
    people = await _people(mattermost, "alice")
    alice = people["alice"]
    channel = mattermost.add_channel("c", [alice.client.userid])
    written = [
        (await mattermost.post_as(alice.client.userid, channel, f"m{n}"))["id"] for n in range(1100)
    ]
    await _call(alice.posts.delete_post, written[500])

    capped = await _call(alice.posts.get_posts_for_channel, channel, {"since": 1})
    assert len(capped["order"]) == 1000
    assert set(capped["order"]) != set(written[:1000])  # which 1,000 is not promised

    read: list[str] = []
    params: dict[str, object] = {"per_page": 500}  # more than the server gives
    while True:
        page = await _call(alice.posts.get_posts_for_channel, channel, params)
        assert len(page["order"]) <= 200
        read += page["order"]
        if len(page["order"]) < 200:
            break
        params = {"before": page["order"][-1], "per_page": 500}
    assert read == [pid for pid in reversed(written) if pid != written[500]]  # live, newest first

    after = await _call(
        alice.posts.get_posts_for_channel, channel, {"after": written[0], "per_page": 3}
    )
    assert after["order"] == [written[3], written[2], written[1]]


async def test_reactions_of_a_post_are_listed_and_one_added_again_keeps_its_first_create_at(
    mattermost,
):
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])
    post = await _call(alice.posts.create_post, {"channel_id": channel, "message": "vote"})
    reaction = {"user_id": bruno.client.userid, "post_id": post["id"], "emoji_name": "one"}

    async def reactions() -> list[dict]:  # type: ignore[type-arg]
        return await _call(alice.client.get, f"/posts/{post['id']}/reactions")

    first = await _call(bruno.reactions.create_reaction, reaction)
    assert [(r["user_id"], r["emoji_name"]) for r in await reactions()] == [
        (bruno.client.userid, "one")
    ]
    await _call(bruno.reactions.delete_reaction, bruno.client.userid, post["id"], "one")
    assert await reactions() == []
    again = await _call(bruno.reactions.create_reaction, reaction)
    [listed] = await reactions()
    assert listed["create_at"] == first["create_at"]  # the row is revived, not new
    assert listed["update_at"] == again["update_at"] > first["update_at"]


async def test_reaction_removed_event_names_its_channel_only_in_the_broadcast(mattermost):
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])
    post = await _call(alice.posts.create_post, {"channel_id": channel, "message": "vote"})
    reaction = {"user_id": bruno.client.userid, "post_id": post["id"], "emoji_name": "one"}
    await _call(bruno.reactions.create_reaction, reaction)
    async with aiohttp.ClientSession() as session:
        socket = await _listening(session, mattermost, "alice")
        await _call(bruno.reactions.delete_reaction, bruno.client.userid, post["id"], "one")
        event = json.loads((await socket.receive(timeout=5)).data)
        await socket.close()
    assert event["event"] == "reaction_removed"
    removed = json.loads(event["data"]["reaction"])
    assert (removed["post_id"], removed["create_at"], removed["channel_id"]) == (post["id"], 0, "")
    assert removed["update_at"] > 0
    assert event["broadcast"]["channel_id"] == channel


async def test_the_bot_s_channels_of_a_team_include_direct_messages_people_opened(mattermost):
    people = await _people(mattermost, "alice", "atelier")
    alice, bot = people["alice"], people["atelier"]
    channel = mattermost.add_channel("c", [alice.client.userid, bot.client.userid])
    mattermost.add_channel("other", [alice.client.userid])
    direct = await _call(
        alice.channels.create_direct_message_channel, [alice.client.userid, bot.client.userid]
    )
    [team] = await _call(bot.teams.get_user_teams, bot.client.userid)
    listed = await _call(bot.channels.get_channels_for_user, bot.client.userid, team["id"])
    assert {c["id"]: c["type"] for c in listed} == {channel: "O", direct["id"]: "D"}


async def test_a_new_websocket_does_not_replay_what_was_sent_while_there_was_none(mattermost):
    people = await _people(mattermost, "alice", "bruno")
    alice, bruno = people["alice"], people["bruno"]
    channel = mattermost.add_channel("c", [alice.client.userid, bruno.client.userid])
    async with aiohttp.ClientSession() as session:
        socket = await _listening(session, mattermost, "alice")
        await socket.close()
        missed = {"channel_id": channel, "message": "while away"}
        await _call(bruno.posts.create_post, missed)
        socket = await _listening(session, mattermost, "alice")
        await _call(bruno.posts.create_post, {"channel_id": channel, "message": "back"})
        first = json.loads((await socket.receive(timeout=5)).data)
        await socket.close()
    assert json.loads(first["data"]["post"])["message"] == "back"


async def _listening(session: aiohttp.ClientSession, mattermost, name: str):  # type: ignore[no-untyped-def]
    """A websocket authenticated as ``name``, past its ``hello``."""
    socket = await session.ws_connect(f"{mattermost.url.replace('http', 'ws')}/api/v4/websocket")
    token = mattermost.login_token(name)
    challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": token}}
    await socket.send_str(json.dumps(challenge))
    assert json.loads((await socket.receive()).data)["status"] == "OK"
    assert json.loads((await socket.receive()).data)["event"] == "hello"
    return socket
