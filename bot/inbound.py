"""What adapters hand to the runtime: engine events, plus the two that need the runtime's help.

A private message does not say which atelier it is about (the runtime finds it), and a reaction
names a platform message (the runtime finds which of the bot's messages that was).
"""

from dataclasses import dataclass

from bot.events import MemberLeft, MessageEdited, MessagePosted, MessageRemoved
from bot.ids import EventId, MessageId, RoomId, UserId

__all__ = ["DirectIn", "Inbound", "ReactionIn", "ReactionOut", "Reconnected"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectIn:
    """A private message to the bot, from one platform (``platform`` = adapter name)."""

    platform: str
    sender: UserId
    sender_name: str
    text: str
    event_id: EventId | None = None
    #: a button's: the atelier it steers (no guessing), and the step it was offered in
    room: RoomId | None = None
    guard: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionIn:
    room: RoomId
    sender: UserId
    sender_name: str
    message_id: MessageId
    key: str
    event_id: EventId | None = None
    guard: str | None = None  # a button's: the step it was offered in


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionOut:
    """A reaction taken back (adapters resolve redactions to this)."""

    room: RoomId
    sender: UserId
    message_id: MessageId
    key: str
    event_id: EventId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnected:
    """The platform is reachable again: deliver what is owed now, without waiting for backoff."""

    platform: str


Inbound = (
    MessagePosted
    | MessageEdited
    | MessageRemoved
    | MemberLeft
    | DirectIn
    | ReactionIn
    | ReactionOut
    | Reconnected
)
