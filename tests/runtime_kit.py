"""What the runtime tests share: a room message as a platform would hand it over."""

from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId

ROOM = RoomId("!salon:test")


def posted(user: str, text: str, n: int, room: str = ROOM) -> MessagePosted:
    """Message n° ``n`` of ``user`` in ``room`` (ids derived from ``n``: unique per test)."""
    return MessagePosted(
        room=RoomId(room),
        sender=UserId(user),
        sender_name=user.title(),
        text=text,
        message_id=MessageId(f"$m{n}"),
        event_id=EventId(f"$e{n}"),
    )
