"""Mattermost: what the server refuses for good is not retried and the facilitator is told;
a rate limit waits as the server says; the others keep getting their messages (issue 12 §2,
issue 15 §3). The test server answers as Mattermost does: 400 for a post over 16,383
characters, 403 where the bot may not post, 429 with ``X-RateLimit-*`` when throttled."""

import pytest
import requests
from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermost_server import MAX_POST_RUNES, RateLimit
from mattermostdriver.exceptions import (
    ContentTooLarge,
    FeatureDisabled,
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)
from people_kit import heard, texts, until
from requests.structures import CaseInsensitiveDict

from adapters.mattermost_directory import PREFIX
from adapters.mattermost_send import refusal
from bot.effects import Say
from bot.ids import RoomId
from bot.scenario import name as display_name


async def _none_pending(bot, room) -> bool:  # type: ignore[no-untyped-def]
    """Nothing waits to be delivered there: a refusal for good is not kept for another try."""
    return await bot.store.pending(room) == []


async def _start(mattermost, tmp_path, names):  # type: ignore[no-untyped-def]
    """The bot, people, and an atelier at its welcome, Camille facilitating."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", *names], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    await people.say("camille", "!atelier démarrer")
    for person in names:
        await people.say(person, "!atelier rejoindre")
        await heard(people, f"Bienvenue {display_name(person)}")
    return bot, people, room


async def test_a_channel_where_the_bot_may_not_post_is_reported_once_and_dms_still_go(
    mattermost, tmp_path
):
    """Channel moderation takes posting from members: the bot's next post in the channel gets
    403; it is not retried, the facilitator is told privately, and Bruno's private question is
    still answered."""
    bot, people, room = await _start(mattermost, tmp_path, ["alice", "bruno"])
    try:
        mattermost.channels[people.channel].members_may_post = False
        await people.dm("camille", "suivant")  # announced in the channel: refused
        await heard(people, "n'a pas pu être publié dans le salon", to="camille")
        await until("the refused post no longer pending", lambda: _none_pending(bot, room))
        await people.dm("bruno", "aide")
        await heard(people, "Ce que vous pouvez faire", to="bruno")
    finally:
        await bot.stop()
    assert sum("pas pu être publié" in t for t in texts(people, "camille")) == 1
    assert not mattermost.violations


async def test_a_post_over_16383_characters_is_refused_for_good(mattermost, tmp_path):
    """The server answers 400 (model/post.go ``IsValid``); the adapter says it is permanent."""
    bot, _, room = await _start(mattermost, tmp_path, ["alice"])
    sender = bot.adapter._sender
    try:
        channel = room.removeprefix(PREFIX)
        assert await sender.perform(Say(room=RoomId(room), key="t", body="x" * 10), None)
        with pytest.raises(requests.RequestException) as refused:
            await sender._post(channel, "x" * (MAX_POST_RUNES + 1), None)
        assert refusal(refused.value, room).permanent
    finally:
        await bot.stop()


async def test_a_40_kb_message_arrives_in_numbered_posts_that_each_fit(mattermost, tmp_path):
    bot, _, room = await _start(mattermost, tmp_path, ["alice"])
    try:
        body = "\n\n".join(f"Paragraphe {n} : " + "idée @channel " * 60 for n in range(50))
        before = len(mattermost.posts)
        first = await bot.adapter.perform(Say(room=RoomId(room), key="t.long", body=body))
        posted = [p["message"] for p in list(mattermost.posts.values())[before:]]
        assert first and len(posted) >= 3
        assert all(len(message) <= MAX_POST_RUNES for message in posted)
        assert posted[0].endswith(f"(1/{len(posted)})") and posted[-1].endswith(
            f"({len(posted)}/{len(posted)})"
        )
    finally:
        await bot.stop()


async def test_a_rate_limited_bot_waits_as_told_and_every_answer_arrives_in_order(
    mattermost, tmp_path
):
    """One request every 2 seconds, no burst: the bot's answers meet 429s and wait ``Retry-After``;
    all three arrive, in the order asked."""
    bot, people, _ = await _start(mattermost, tmp_path, ["alice", "bruno"])
    try:
        limit = mattermost.rate_limits[people.bot_id] = RateLimit(per_second=0.5, burst=0)
        for person in ("alice", "bruno", "camille"):
            await people.say(person, "!atelier état")
        await until(
            "three status answers",
            lambda: sum("fin annoncée" in t for t in texts(people)) == 3,
        )
    finally:
        await bot.stop()
    assert limit.refused > 0  # the limit was met…
    assert not mattermost.violations  # …and nothing else went wrong


class _Response:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)  # as requests has them


def _http(status: int, headers: dict[str, str] | None = None) -> requests.HTTPError:
    return requests.HTTPError(response=_Response(status, headers or {}))  # type: ignore[arg-type]


def test_refusals_by_status_are_permanent_and_limits_and_outages_are_retried():
    """400/403/404/413/501 (the driver's classes) are for good; 429 waits ``Retry-After`` or
    ``X-RateLimit-Reset``; 401, 5xx and network faults are tried again."""
    for error in (
        InvalidOrMissingParameters(),
        NotEnoughPermissions(),
        ResourceNotFound(),
        ContentTooLarge(),
        FeatureDisabled(),
    ):
        assert refusal(error, "r").permanent, type(error).__name__
    limited = refusal(_http(429, {"X-Ratelimit-Reset": "3", "Retry-After": "1"}), "r")
    assert not limited.permanent and limited.retry_after == 1
    assert refusal(_http(429, {"X-Ratelimit-Reset": "3"}), "r").retry_after == 3
    for error in (NoAccessTokenProvided(), _http(502), requests.ConnectionError()):
        answer = refusal(error, "r")
        assert not answer.permanent and answer.retry_after is None
