"""Engine events: what happened, in platform-neutral terms.

Adapters build these from platform events; the engine decides what follows.
Events are frozen, keyword-only values and are never subclassed.
"""

from dataclasses import dataclass

from bot.effects import ArchiveQuery
from bot.ids import EventId, MessageId, RoomId, UserId

__all__ = [
    "ArchiveFound",
    "Archived",
    "CycleFound",
    "DirectMessage",
    "Event",
    "MemberLeft",
    "MessageEdited",
    "MessagePosted",
    "MessageRemoved",
    "PastSession",
    "PersonalDataFound",
    "ReactionAdded",
    "ReactionRemoved",
    "TimerFired",
    "Undeliverable",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted:
    """Someone wrote in a room the bot is in."""

    room: RoomId
    sender: UserId
    sender_name: str
    text: str
    message_id: MessageId
    event_id: EventId | None = None
    moderator: bool = False
    #: the first message of the thread it was written in (None: in the room itself)
    thread: MessageId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEdited:
    """Someone replaced the text of one of their earlier messages."""

    room: RoomId
    sender: UserId
    original_id: MessageId
    text: str
    event_id: EventId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRemoved:
    """A message was deleted (Matrix redaction, Mattermost ``post_deleted``) by ``sender``;
    ``moderator`` when that person moderates the room."""

    room: RoomId
    sender: UserId
    original_id: MessageId
    moderator: bool = False
    event_id: EventId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectMessage:
    """Someone wrote to the bot privately; the runtime has found the room it concerns."""

    room: RoomId
    sender: UserId
    sender_name: str
    text: str
    event_id: EventId | None = None
    guard: str | None = None  # from a button: the step it was offered in (bot.buttons)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionAdded:
    """Someone reacted to one of the bot's messages.

    ``ref`` is the engine's own label of that message (``"card:3@0"``, ``"consent:1"``…, see
    ``bot.refs``), which the runtime resolved from the platform message id; ``key`` is a
    neutral reaction key (see ``bot.reactions``).
    """

    room: RoomId
    sender: UserId
    sender_name: str
    ref: str
    key: str
    event_id: EventId | None = None
    guard: str | None = None  # from a button: the step it was offered in (bot.buttons)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionRemoved:
    """Someone took back a reaction."""

    room: RoomId
    sender: UserId
    ref: str
    key: str
    event_id: EventId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft:
    """Someone left the room (or the bot itself was removed, with ``sender`` = the bot)."""

    room: RoomId
    sender: UserId
    bot_removed: bool = False
    event_id: EventId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Undeliverable:
    """The platform refused, for good, a message of the bot: to ``user`` privately, or in the
    room when ``user`` is None (the runtime tells the engine once it gave up)."""

    room: RoomId
    user: UserId | None
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired:
    """A deadline the engine asked for has come."""

    room: RoomId
    name: str
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Archived:
    """One record of the room's archive."""

    number: int
    title: str
    request: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PastSession:
    """An ended atelier of the room: when, and its record's number if it was shared."""

    started_at: float
    timezone: str
    number: int | None
    title: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveFound:
    """What the runtime found in the archive for ``query``, or whether it deleted the record
    asked."""

    room: RoomId
    query: ArchiveQuery
    found: tuple[Archived, ...] = ()
    deleted: bool = False
    history: tuple[PastSession, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalDataFound:
    """What the store held about ``user`` (``inputs``: kind and text of each) and how many
    archived records named them; with ``forget``, what it has just deleted or made neutral."""

    room: RoomId
    user: UserId
    forget: bool
    inputs: tuple[tuple[str, str], ...] = ()
    records: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleFound:
    """What the room remembers for the atelier ``atelier_id``: who has already offered a
    situation here, and the problems their authors carried to this session (author, text)."""

    room: RoomId
    atelier_id: str
    offerers: tuple[str, ...] = ()
    carried: tuple[tuple[str, str], ...] = ()


Event = (
    MessagePosted
    | MessageEdited
    | DirectMessage
    | ReactionAdded
    | ReactionRemoved
    | MessageRemoved
    | MemberLeft
    | TimerFired
    | Undeliverable
    | ArchiveFound
    | PersonalDataFound
    | CycleFound
)
