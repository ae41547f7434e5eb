"""Typed identifiers shared by the engine, the runtime and the adapters.

They are plain strings at run time; the types only keep a room id from being passed
where a user id is expected.
"""

from typing import NewType

__all__ = ["EventId", "MessageId", "RoomId", "UserId", "short_id"]

RoomId = NewType("RoomId", str)
UserId = NewType("UserId", str)
MessageId = NewType("MessageId", str)
EventId = NewType("EventId", str)


def short_id(user_id: str) -> str:
    """What tells two people with the same display name apart: a Matrix id's local part
    (``@alex:example.org`` → ``@alex``), else the first characters of an opaque id."""
    if user_id.startswith("@") and ":" in user_id:
        return user_id.split(":", 1)[0]
    return user_id[:8]
