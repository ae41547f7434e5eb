"""Matrix room events (as matrix-nio parses them) → the runtime's inbound values.

Pure translation: it looks at one event and the room it happened in, and says what it means
for the bot. Remembering reactions (so that a redaction can be traced back) and deciding which
rooms are private conversations is the receiver's job (``adapters.matrix_receive``).
"""

from dataclasses import dataclass

from nio import (
    MatrixRoom,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessageEmote,
    RoomMessageText,
)

from bot.events import MemberLeft, MessageEdited, MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, Inbound, ReactionIn
from bot.reactions import key_from_emoji

__all__ = [
    "MODERATOR_LEVEL",
    "StoredReaction",
    "display_name",
    "is_moderator",
    "may_redact",
    "strip_reply_fallback",
    "translate",
]

#: Matrix's customary "moderator" power level.
MODERATOR_LEVEL = 50


@dataclass(frozen=True)
class StoredReaction:
    """What a reaction event was, kept so that its redaction can be undone in the engine."""

    room: str
    sender: str
    target: str
    key: str


def display_name(room: MatrixRoom, user: str) -> str:
    name = room.user_name(user)
    if name:
        return str(name)
    return user.removeprefix("@").split(":", 1)[0]


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted ``> <@someone> …`` lines clients put before a reply's own text."""
    lines = body.splitlines()
    if not lines or not lines[0].startswith("> "):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def is_moderator(room: MatrixRoom, user: str, creators: set[str]) -> bool:
    """Power level 50 or more, or a room creator (room version 12 gives creators no level)."""
    return user in creators or room.power_levels.get_user_level(user) >= MODERATOR_LEVEL


def may_redact(room: MatrixRoom, user: str, creators: set[str] | None) -> bool:
    """Whether ``user`` moderates the room's messages: a creator, or a power level at the
    room's ``redact`` level (what redacting others' events takes) or at moderator level.

    The homeserver refuses a redaction of someone else's event below the redact level, but
    a remote server may send one anyway (room versions 3+ leave the check to each server
    when the event is shown): the bot decides for itself.
    """
    level = room.power_levels.get_user_level(user)
    return user in (creators or set()) or level >= min(
        room.power_levels.defaults.redact, MODERATOR_LEVEL
    )


def _text_of(event: RoomMessageText | RoomMessageEmote) -> tuple[str, str | None]:
    """The message's text and, for an edit, the id of the message it replaces."""
    content = event.source.get("content", {})
    relation = content.get("m.relates_to") or {}
    if relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content") or {}
        return str(new.get("body", event.body)), str(relation.get("event_id", ""))
    body = event.body
    if "m.in_reply_to" in relation:
        body = strip_reply_fallback(body)
    return body, None


def _thread_of(event: RoomMessageText | RoomMessageEmote) -> MessageId | None:
    """The thread's root event when the message was written in a thread (spec: "Threading",
    ``m.relates_to`` with ``rel_type: m.thread``)."""
    relation = event.source.get("content", {}).get("m.relates_to") or {}
    if relation.get("rel_type") == "m.thread" and relation.get("event_id"):
        return MessageId(str(relation["event_id"]))
    return None


def translate(
    room: MatrixRoom,
    event: object,
    *,
    direct: bool,
    creators: set[str],
) -> Inbound | None:
    """The inbound value for one timeline event (None when it means nothing to the bot).

    ``direct`` says the room is a private conversation with the sender. Reactions become
    ``ReactionIn``; redactions need the adapter's memory and are not handled here.
    """
    room_id = RoomId(room.room_id)
    if isinstance(event, RoomMessageText | RoomMessageEmote):
        sender = UserId(event.sender)
        text, replaces = _text_of(event)
        event_id = EventId(event.event_id)
        if replaces:
            if direct:
                return None  # private messages are not edited into the engine
            return MessageEdited(
                room=room_id,
                sender=sender,
                original_id=MessageId(replaces),
                text=text,
                event_id=event_id,
            )
        if direct:
            return DirectIn(
                platform="matrix",
                sender=sender,
                sender_name=display_name(room, sender),
                text=text,
                event_id=event_id,
            )
        return MessagePosted(
            room=room_id,
            sender=sender,
            sender_name=display_name(room, sender),
            text=text,
            message_id=MessageId(event.event_id),
            event_id=event_id,
            moderator=is_moderator(room, sender, creators),
            thread=_thread_of(event),
        )
    if isinstance(event, ReactionEvent) and not direct:
        key = key_from_emoji(event.key)
        if key is None:
            return None
        return ReactionIn(
            room=room_id,
            sender=UserId(event.sender),
            sender_name=display_name(room, event.sender),
            message_id=MessageId(event.reacts_to),
            key=key,
            event_id=EventId(event.event_id),
        )
    if (
        isinstance(event, RoomMemberEvent)
        and event.membership in ("leave", "ban")
        and not direct
        and event.prev_membership == "join"
    ):
        return MemberLeft(
            room=room_id,
            sender=UserId(event.state_key),
            event_id=EventId(event.event_id),
        )
    return None
