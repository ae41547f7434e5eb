"""Mattermost websocket events, and what the catch-up found, → the runtime's inbound values.

Posts in channels become ``MessagePosted``, in direct channels ``DirectIn``; edits
``MessageEdited``; deletions ``MessageRemoved``; reactions to the bot's labelled posts
``ReactionIn``/``ReactionOut``; people leaving ``MemberLeft`` (from ``user_removed``, or, for
a websocket that was down, from the system post that says so). On each ``hello`` (a new
connection) the runtime is told it may deliver what it owes, then what the websocket missed is
replayed, oldest first (``adapters.mattermost_catchup``). The runtime drops an event id it
has already handled.
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.mattermost_catchup import CatchUp, Missed, ReactionBook, deleter
from adapters.mattermost_directory import PREFIX, Directory
from bot.events import MemberLeft, MessageEdited, MessagePosted, MessageRemoved
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, Inbound, ReactionIn, ReactionOut, Reconnected
from bot.log_safe import failure
from bot.ports import KeyValue

__all__ = ["EMOJI_NAMES", "Receiver"]

log = logging.getLogger("atelier.mattermost")

#: Mattermost emoji names → the engine's neutral reaction keys
EMOJI_NAMES = {
    "one": "one",
    "two": "two",
    "+1": "thumbsup",
    "thumbsup": "thumbsup",
    "white_check_mark": "yes",
    "heavy_check_mark": "yes",
    "x": "no",
    "raised_hand": "hand",
    "hand": "hand",
}
#: system posts that say someone left the channel (app/channel.go
#: ``postLeaveChannelMessage``: by the person who left; ``postRemoveFromChannelMessage``:
#: by the remover, the person removed in ``props.removedUserId``)
LEFT_POSTS = ("system_leave_channel", "system_remove_from_channel")
#: store key: channel id → ``create_at`` of the last post handled there
CHANNELS = "mattermost.channels"
#: a group message is told it is no atelier room at most once in this many seconds
GROUP_NOTICE_EVERY = 600.0
#: the bot's own posts remembered by ``pending_post_id`` (``Receiver.posted``)
OWN_POSTS_KEPT = 1000

Emit = Callable[[Inbound], Awaitable[None]]
#: says, in the group message ``channel``, that ateliers happen in channels
Notice = Callable[[str], Awaitable[None]]


def not_human(post: dict[str, Any]) -> bool:
    """A post of an incoming webhook (app/webhook.go ``CreateWebhookPost``: ``from_webhook``)
    or of a bot account (app/post.go ``CreatePost``: ``from_bot``) is nobody's input."""
    props = post.get("props") or {}
    return any(str(props.get(k, "")).lower() == "true" for k in ("from_webhook", "from_bot"))


class Receiver:
    def __init__(
        self,
        directory: Directory,
        book: ReactionBook,
        catchup: CatchUp,
        store: KeyValue,
        *,
        emit: Emit,
        connected: asyncio.Event,
        platform: str,
        prefix: str = "!atelier",
        notice: Notice | None = None,
    ) -> None:
        self.directory = directory
        self.book = book
        self.catchup = catchup
        self.store = store
        self.emit = emit
        self.connected = connected  # the adapter's asyncio.Event, set on ``hello``
        self.platform = platform
        self.channels: dict[str, int] = {}  # channel id → create_at of the last post handled
        self.prefix = prefix
        self.notice = notice
        self._noticed: dict[str, float] = {}  # group message → when it was last told
        self._own: dict[str, dict[str, Any]] = {}  # pending_post_id → the bot's post

    async def load(self) -> None:
        saved = json.loads(await self.store.get(CHANNELS) or "{}")
        self.channels = {k: int(v) for k, v in saved.items()}

    async def on_message(self, raw: str) -> None:
        """One websocket message (JSON); a failure is logged, never raised to the stream."""
        event: object = None
        try:
            message = json.loads(raw)
            event = message.get("event")
            data = message.get("data") or {}
            if event == "hello":
                await self.on_hello()
            elif event == "posted":
                post = json.loads(data["post"])
                channel = post["channel_id"]
                kind = str(data.get("channel_type") or "O")
                name = data.get("channel_display_name")
                self.directory.note(channel, kind, str(name) if name else None)
                await self.on_post(post, kind)
            elif event == "post_edited":
                await self.on_edit(json.loads(data["post"]))
            elif event == "post_deleted":
                post = json.loads(data["post"])
                by = data.get("delete_by")
                await self.on_deleted(post, str(by) if by else None)
            elif event in ("reaction_added", "reaction_removed"):
                reaction = json.loads(data["reaction"])
                # a removal carries no channel_id (api4/reaction.go builds it from the URL); the
                # event's broadcast names the channel
                broadcast = message.get("broadcast") or {}
                await self.reacted(
                    str(reaction.get("channel_id") or broadcast.get("channel_id") or ""),
                    str(reaction["post_id"]),
                    str(reaction["user_id"]),
                    str(reaction["emoji_name"]),
                    int(reaction.get("update_at") or reaction.get("create_at") or 0),
                    added=event == "reaction_added",
                )
            elif event == "user_removed":
                await self.on_removed(message)
        except Exception as error:  # never let one event stop the stream
            kind = event if isinstance(event, str) else "?"
            log.error("could not handle a Mattermost %s event: %s", kind, failure(error))

    async def on_hello(self) -> None:
        """Connected: deliver what is owed, then replay what was missed, oldest first."""
        self.connected.set()
        await self.emit(Reconnected(platform=self.platform))
        gap = await self.catchup.run(self.channels)
        await self.directory.learn(gap.channels)
        if gap.gone:
            for channel in gap.gone:
                self.channels.pop(channel, None)
            await self.store.put(CHANNELS, json.dumps(self.channels))
        for item in gap.missed:
            await self.replay(item)
        await self.catchup.replayed(gap)

    async def replay(self, item: Missed) -> None:
        if item.kind == "post":
            if item.post.get("type") in LEFT_POSTS:
                await self.on_left_post(item.post)
            await self.on_post(item.post, self.directory.kind(item.channel))
        elif item.kind == "edit":
            await self.on_edit(item.post)
        elif item.kind == "delete":
            await self.on_deleted(item.post, deleter(item.post) or "", known=True)
        else:
            post, added = str(item.post["id"]), item.kind == "reaction+"
            await self.reacted(item.channel, post, item.user, item.emoji, item.stamp, added=added)

    async def seen(self, channel: str, create_at: int) -> None:
        if create_at > self.channels.get(channel, 0):
            self.channels[channel] = create_at
            await self.store.put(CHANNELS, json.dumps(self.channels))

    async def on_post(self, post: dict[str, Any], channel_type: str) -> None:
        bot = self.directory.user_id
        sender = str(post["user_id"])
        if sender == bot and post.get("pending_post_id"):
            self._own[str(post["pending_post_id"])] = post
            for old in list(self._own)[: max(0, len(self._own) - OWN_POSTS_KEPT)]:
                del self._own[old]
        if sender == bot or post.get("type") or not_human(post) or channel_type == "G":
            await self.seen(post["channel_id"], int(post["create_at"]))
            # the bot's own posts, system messages ("joined the channel"…), webhooks and bots;
            # group messages, where a command is answered that ateliers happen in channels
            if channel_type == "G" and not not_human(post) and sender != bot:
                await self.group_message(post)
            return
        if await self.directory.is_bot(sender):  # an older server, without ``from_bot``
            await self.seen(post["channel_id"], int(post["create_at"]))
            return
        name, _ = await self.directory.who(sender)
        post_id = str(post["id"])
        inbound: Inbound
        if channel_type == "D":
            await self.directory.wrote_directly(sender, post["channel_id"])
            inbound = DirectIn(
                platform=self.platform,
                sender=UserId(sender),
                sender_name=name,
                text=str(post["message"]),
                event_id=EventId(post_id),
            )
        else:
            inbound = MessagePosted(
                room=RoomId(PREFIX + post["channel_id"]),
                sender=UserId(sender),
                sender_name=name,
                text=str(post["message"]),
                message_id=MessageId(post_id),
                event_id=EventId(post_id),
                moderator=await self.directory.is_admin(post["channel_id"], sender),
                thread=MessageId(post["root_id"]) if post.get("root_id") else None,
            )
        await self.emit(inbound)
        await self.seen(post["channel_id"], int(post["create_at"]))

    def posted(self, pending_post_id: str) -> dict[str, Any] | None:
        """The bot's post made with this ``pending_post_id``, if its ``posted`` event came.

        The server answers a repeated ``pending_post_id`` with the post it made for 30 seconds
        only (app/post.go ``pendingPostIDsCacheTTL``), and stores none (model/post.go:
        ``db:"-"``): a retry after a lost answer that comes later would post twice. Its
        ``posted`` event carries the id, and it comes before the answer."""
        return self._own.get(pending_post_id) if pending_post_id else None

    async def group_message(self, post: dict[str, Any]) -> None:
        """A group message is no atelier room (it has no admins to take over, and people
        join and leave it by making a new one): a command written there is answered, there,
        that ateliers happen in channels — at most once every ten minutes per group; other
        words are not answered."""
        words = str(post.get("message") or "").strip().casefold()
        if not words.startswith(self.prefix.casefold()) or self.notice is None:
            return
        channel, now = str(post["channel_id"]), time.monotonic()
        if now - self._noticed.get(channel, -GROUP_NOTICE_EVERY) < GROUP_NOTICE_EVERY:
            return
        self._noticed[channel] = now
        await self.notice(channel)

    async def on_edit(self, post: dict[str, Any]) -> None:
        """An edit of someone's post in a channel; a pin, or anything else that leaves the
        message as it was (``edit_at`` not set: app/post.go ``UpdatePost`` sets it only when
        the message changes), is no edit."""
        if (
            post.get("user_id") == self.directory.user_id
            or self.directory.not_a_room(post["channel_id"])
            or not int(post.get("edit_at") or 0)
            or not_human(post)
        ):
            return
        await self.emit(
            MessageEdited(
                room=RoomId(PREFIX + post["channel_id"]),
                sender=UserId(post["user_id"]),
                original_id=MessageId(post["id"]),
                text=str(post["message"]),
                event_id=EventId(f"{post['id']}@{post.get('edit_at', 0)}"),
            )
        )

    async def on_deleted(
        self, post: dict[str, Any], deleted_by: str | None, *, known: bool = False
    ) -> None:
        """A post deleted: the engine withdraws its input if the deleter wrote it or is a
        channel or system admin.

        Who deleted it: ``post_deleted`` says so (``delete_by``) only to system admins
        (app/post.go ``DeletePost`` publishes a sanitized event without it to everybody
        else, ``ContainsSanitizedData``); otherwise it is read from ``props.deleteBy`` of the
        deleted post in a ``since`` answer (``CatchUp.deleted_by``). When the server does
        not say (``known`` and empty, or not found), nothing is withdrawn: the bot does not
        guess that the author deleted it.
        """
        channel = str(post["channel_id"])
        if post.get("user_id") == self.directory.user_id or post.get("type"):
            return
        if self.directory.not_a_room(channel) or not_human(post):
            return  # private and group messages are not edited into the engine
        if deleted_by is None and not known:
            deleted_by = await self.catchup.deleted_by(channel, post)
        if not deleted_by:
            log.warning("a post was deleted in %s by someone the server does not name", channel)
            return
        await self.emit(
            MessageRemoved(
                room=RoomId(PREFIX + channel),
                sender=UserId(deleted_by),
                original_id=MessageId(str(post["id"])),
                moderator=await self.directory.is_admin(channel, deleted_by),
                event_id=EventId(f"{post['id']}@deleted"),
            )
        )

    async def on_left_post(self, post: dict[str, Any]) -> None:
        """The system post that says someone left or was removed, found by the catch-up: the
        ``user_removed`` event that said it went to a websocket that was down."""
        channel = str(post["channel_id"])
        props = post.get("props") or {}
        if post.get("type") == "system_leave_channel":
            user = str(post.get("user_id") or "")
        else:
            user = str(props.get("removedUserId") or "")
        if not user or user == self.directory.user_id or self.directory.is_direct(channel):
            return
        await self.emit(
            MemberLeft(
                room=RoomId(PREFIX + channel),
                sender=UserId(user),
                event_id=EventId(f"{post['id']}@left"),
            )
        )

    async def reacted(
        self, channel: str, post: str, user: str, emoji: str, stamp: int, *, added: bool
    ) -> None:
        """A reaction added or taken back, from the websocket or the catch-up alike.

        Only reactions to the bot's labelled posts reach the engine. The adapter keeps those it
        counted (``ReactionBook``): an addition already counted is not emitted again, and the
        event id of a removal names the addition it undoes (``±user:post:emoji:stamp``, the
        stamp being the reaction's ``update_at`` when added), whichever way it came.
        """
        key = EMOJI_NAMES.get(emoji)
        if user == self.directory.user_id or key is None or not channel:
            return
        if not await self.directory.labelled(channel, post):
            return
        if await self.directory.is_bot(user):
            return  # another bot's reaction is nobody's vote, consent or raised hand
        room = RoomId(PREFIX + channel)
        counted = await self.book.counted(channel, post, user, emoji)
        if added:
            if counted is not None:
                return
            name, _ = await self.directory.who(user)
            await self.emit(
                ReactionIn(
                    room=room,
                    sender=UserId(user),
                    sender_name=name,
                    message_id=MessageId(post),
                    key=key,
                    event_id=EventId(f"+{user}:{post}:{emoji}:{stamp}"),
                )
            )
            await self.book.add(channel, post, user, emoji, stamp)
        else:
            await self.emit(
                ReactionOut(
                    room=room,
                    sender=UserId(user),
                    message_id=MessageId(post),
                    key=key,
                    event_id=EventId(f"-{user}:{post}:{emoji}:{counted or stamp}"),
                )
            )
            await self.book.remove(channel, post, user, emoji)

    async def on_removed(self, message: dict[str, Any]) -> None:
        data, broadcast = message.get("data") or {}, message.get("broadcast") or {}
        bot = self.directory.user_id
        if broadcast.get("user_id") == bot and data.get("channel_id"):
            channel = str(data["channel_id"])
            self.channels.pop(channel, None)
            await self.emit(
                MemberLeft(room=RoomId(PREFIX + channel), sender=UserId(bot), bot_removed=True)
            )
        elif data.get("user_id") and broadcast.get("channel_id"):
            await self.emit(
                MemberLeft(
                    room=RoomId(PREFIX + broadcast["channel_id"]),
                    sender=UserId(str(data["user_id"])),
                )
            )
