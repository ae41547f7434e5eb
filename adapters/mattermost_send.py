"""Effects → Mattermost: posts, direct messages, reactions, pins.

Markdown is posted as it is (Mattermost renders it); the people given the floor are named first
as ``@username`` so that they are notified; the outbox key becomes the ``pending_post_id`` (the
server posts a repeated one once); rules are pinned. A server that refuses for good (no
permission, no such channel, a message too long) raises ``DeliveryError(permanent=True)``: the
runtime does not retry it and the facilitator is told; a rate limit or an unreachable server
is a ``DeliveryError`` to retry (the runtime's outbox retries in order, waiting as told).
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, assert_never

import requests
from mattermostdriver.exceptions import InvalidOrMissingParameters, NotEnoughPermissions

from adapters.mattermost_actions import SLASH
from adapters.mattermost_catchup import ReactionBook
from adapters.mattermost_directory import PREFIX, Directory, Rest
from adapters.mattermost_errors import PERMANENT, rate_limit_delay
from adapters.mattermost_files import Files
from adapters.mattermost_markdown import to_mattermost
from bot.effects import Button, Outward, PostFile, React, Say, SayDirect
from bot.ports import DeliveryError
from bot.split import fitting

__all__ = ["KEY_TO_NAME", "PERMANENT", "Sender", "refusal"]

log = logging.getLogger("atelier.mattermost")

#: the engine's neutral reaction keys → Mattermost emoji names
KEY_TO_NAME = {
    "one": "one",
    "two": "two",
    "thumbsup": "+1",
    "yes": "white_check_mark",
    "no": "x",
    "hand": "raised_hand",
}

#: the longest post the server accepts, in characters (model/post.go ``PostMessageMaxRunesV2``)
MAX_POST_RUNES = 16_383


def refusal(error: requests.RequestException, room: str) -> DeliveryError:
    """The ``DeliveryError`` for what the server (or the network) answered.

    Refusals for good are permanent: the runtime does not retry them, logs them and tells
    the facilitator. 429 waits as told: ``Retry-After`` (seconds until a request is allowed
    again), else ``X-RateLimit-Reset`` (seconds until the window resets: the API reference,
    "rate limiting"; app/ratelimit.go ``setRateLimitHeaders``). A 401 (the session expired),
    5xx and network faults are tried again.
    """
    if isinstance(error, PERMANENT):
        kind = type(error).__name__
        return DeliveryError(f"refused for {room}: {kind}", permanent=True)
    delay = rate_limit_delay(error)
    if delay is not None:
        return DeliveryError("rate limited", retry_after=delay)
    if isinstance(error, requests.HTTPError):
        return DeliveryError(f"server error: {type(error).__name__}")
    return DeliveryError(f"server unreachable: {type(error).__name__}")


class Sender:
    def __init__(self, driver: Any, rest: Rest, directory: Directory, book: ReactionBook) -> None:
        self.driver = driver
        self.rest = rest
        self.directory = directory
        self.book = book
        self.files = Files(driver, rest, directory)
        #: threads whose first post was deleted: what was for them goes to the channel
        self.gone_threads: set[str] = set()
        #: the engine's buttons → a post's ``props`` (interactive actions), when served
        self.decorate: Callable[[tuple[Button, ...], str], dict[str, Any] | None] | None = None
        #: a slash command's acknowledgement (no post to react to): (its id, emoji name)
        self.acknowledge: Callable[[str, str], Awaitable[None]] | None = None

    async def perform(self, effect: Outward, idempotency_key: str | None) -> str | None:
        try:
            return await self._perform(effect, idempotency_key)
        except requests.RequestException as error:
            raise refusal(error, effect.room) from error

    async def _perform(self, effect: Outward, idempotency_key: str | None) -> str | None:
        match effect:
            case Say():
                channel = effect.room.removeprefix(PREFIX)
                mentioned = await self._with_mentions("", effect.mentions)
                props = self._props(effect)
                post = await self._post_parts(
                    channel, effect.body, idempotency_key, mentioned, effect.thread, props
                )
                if post is None:
                    return None
                if effect.ref:
                    await self.book.track(channel, str(post["id"]))
                if effect.pin:
                    await self._pin(str(post["id"]))
                return str(post["id"])
            case SayDirect():
                channel = await self.directory.direct_channel(effect.user)
                await self._post_parts(
                    channel, effect.body, idempotency_key, "", props=self._props(effect)
                )
                return None
            case React() if effect.message_id.startswith(SLASH):
                if self.acknowledge is not None:  # no post to react to: said privately
                    emoji = KEY_TO_NAME.get(effect.key, effect.key)
                    await self.acknowledge(effect.message_id, emoji)
                return None
            case React():
                await self.rest(
                    self.driver.reactions.create_reaction,
                    {
                        "user_id": self.directory.user_id,
                        "post_id": effect.message_id,
                        "emoji_name": KEY_TO_NAME.get(effect.key, effect.key),
                    },
                )
                return None
            case PostFile():
                await self.files.post(effect, idempotency_key)
                return None
            case _:
                assert_never(effect)

    def _props(self, effect: Say | SayDirect) -> dict[str, Any] | None:
        if not effect.buttons or self.decorate is None:
            return None
        return self.decorate(effect.buttons, effect.room)

    async def _post_parts(
        self,
        channel: str,
        body: str,
        key: str | None,
        mentioned: str,
        thread: str | None = None,
        props: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Post ``body`` (the people to notify first), in numbered parts when it is longer than
        a post may be (bot/split.py), as replies in ``thread`` when given (its root post's id);
        the first part's post stands for the message."""

        def fits(part: str) -> bool:
            return len(mentioned) + len(to_mattermost(part)) <= MAX_POST_RUNES

        first: dict[str, Any] | None = None
        parts = fitting(body, fits)
        for n, part in enumerate(parts):
            message = (mentioned if n == 0 else "") + to_mattermost(part)  # notified once
            part_key = key if n == 0 or not key else f"{key}-{n}"
            last = props if n == len(parts) - 1 else None  # buttons under the whole text
            post = await self._post(channel, message, part_key, thread, last)
            first = first if first is not None else post
        return first

    async def _post(
        self,
        channel: str,
        message: str,
        key: str | None,
        thread: str | None = None,
        props: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        options: dict[str, Any] = {"channel_id": channel, "message": message}
        if thread and thread not in self.gone_threads:
            options["root_id"] = thread  # a reply in that thread (openapi: Post.root_id)
        if props:
            options["props"] = props
        if key:
            options["pending_post_id"] = f"{self.directory.user_id}:{key}"
        try:
            return dict(await self.rest(self.driver.posts.create_post, options))
        except InvalidOrMissingParameters:
            if "root_id" not in options:
                raise
            # the thread's first post was deleted (400 "Invalid RootId parameter", app/post.go
            # CreatePost): the atelier goes on in the channel itself rather than falling silent
            self.gone_threads.add(options.pop("root_id"))
            return dict(await self.rest(self.driver.posts.create_post, options))

    async def _with_mentions(self, body: str, mentions: tuple[str, ...]) -> str:
        """Mattermost notifies on ``@username``: put the people given the floor first."""
        if not mentions:
            return body
        names = [f"@{(await self.directory.who(user))[1]}" for user in mentions]
        return f"{' '.join(names)} {body}"

    async def _pin(self, post_id: str) -> None:
        try:
            await self.rest(self.driver.posts.pin_post_to_channel, post_id)
        except (NotEnoughPermissions, requests.RequestException) as error:
            log.info("cannot pin %s: %s", post_id, type(error).__name__)
