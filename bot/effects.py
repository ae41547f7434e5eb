"""Engine effects: what the runtime must do, in platform-neutral terms.

``Record``, ``StartTimer`` and ``CancelTimer`` are kept by the runtime itself (store and
scheduler); the others are performed by an adapter.
"""

from dataclasses import dataclass, field

from bot.ids import MessageId, RoomId, UserId

__all__ = [
    "Archive",
    "ArchiveQuery",
    "Button",
    "CancelTimer",
    "Carry",
    "CycleQuery",
    "Effect",
    "Offered",
    "Outward",
    "PersonalData",
    "PostFile",
    "React",
    "Record",
    "Say",
    "SayDirect",
    "StartTimer",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Button:
    """A button under a message, where the platform has them (Mattermost): it does exactly
    what the ``reaction`` to that message, or the private ``command``, does.

    ``action`` is a neutral name (``join``, ``one``, ``yes``, ``next``…); ``label`` is shown on
    it. ``guard`` names the step it was offered in (``bot.buttons.marker``; ``""`` for a button
    valid at any step): a click after the step has moved on changes nothing and is answered
    kindly. Matrix and the console show no
    buttons: their people have the reactions and the commands.
    """

    action: str
    label: str
    reaction: str | None = None
    command: str | None = None
    guard: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Say:
    """Post a message in the room.

    ``key`` names the catalogue text it was built from (tests and logs use it); ``body`` is the
    rendered text, in light Markdown. ``ref`` labels the message so that reactions to it reach
    the engine; ``pin`` asks the adapter to pin it where it can; ``thread``: post it as a reply
    in the thread that starts with that message.
    """

    room: RoomId
    key: str
    body: str
    mentions: tuple[UserId, ...] = ()
    ref: str | None = None
    pin: bool = False
    thread: MessageId | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SayDirect:
    """Write privately to one person."""

    room: RoomId
    user: UserId
    key: str
    body: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class React:
    """Acknowledge someone's message with a reaction (neutral key, e.g. ``"yes"``)."""

    room: RoomId
    message_id: MessageId
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PostFile:
    """Post a text file (UTF-8) in the room, or to ``user`` privately: an exported record.

    ``key`` names the catalogue text of its caption (tests and logs use it); ``caption`` is
    that text rendered, posted with the file where the platform allows."""

    room: RoomId
    key: str
    filename: str
    mime: str
    text: str
    caption: str = ""
    user: UserId | None = None
    thread: MessageId | None = None  # in the room: post it in that thread


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """An input a participant gave, to be written to the inputs log with the new state."""

    room: RoomId
    atelier_id: str
    kind: str
    author: UserId
    content: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTimer:
    """Fire ``TimerFired(name)`` at the absolute time ``at`` (replaces a timer of that name)."""

    room: RoomId
    name: str
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTimer:
    room: RoomId
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """A record the group agreed to share: kept in the room's archive, with the decision."""

    room: RoomId
    atelier_id: str
    title: str  # the date and who offered the situation, as shown in lists
    request: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveQuery:
    """Look in the room's archive (words, or record ``number``; or delete that one), then
    hand the engine what was found as an ``ArchiveFound`` event. Nothing is stored."""

    room: RoomId
    user: UserId
    direct: bool
    words: str = ""
    number: int | None = None
    delete: bool = False
    history: bool = False  # the room's past sessions, shared or not
    export: bool = False  # record ``number`` as files (``exporter N``)
    thread: MessageId | None = None  # where the question was asked: the answer goes there


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalData:
    """Gather what the store holds about ``user`` (inputs of running ateliers, archived records
    naming them) and hand it to the engine (``PersonalDataFound``); with ``forget``, delete
    those inputs and put a neutral mention in place of ``names`` in the records first."""

    room: RoomId
    user: UserId
    names: tuple[str, ...]
    lang: str
    forget: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleQuery:
    """Hand the engine what the room remembers of its earlier sessions (``CycleFound``): who
    has already offered a situation, and the problems carried to this session."""

    room: RoomId
    atelier_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Offered:
    """``user`` offered a situation in this room (kept with the decision, until forget-me)."""

    room: RoomId
    user: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class Carry:
    """``author``'s problem carried to the room's next session (``text``), or no longer
    (``text`` empty): kept with the decision, private, under the room's retention period."""

    room: RoomId
    author: UserId
    text: str = ""


Effect = (
    Say
    | SayDirect
    | React
    | PostFile
    | Record
    | StartTimer
    | CancelTimer
    | Archive
    | ArchiveQuery
    | PersonalData
    | CycleQuery
    | Offered
    | Carry
)
#: the effects an adapter performs on its platform (the outbox holds only these)
Outward = Say | SayDirect | React | PostFile
