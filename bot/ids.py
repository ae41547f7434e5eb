"""Typed identifiers shared by the engine, the runtime and the adapters.

They are plain strings at run time; the types only keep a room id from being passed
where a user id is expected.
"""

from typing import NewType

__all__ = ["EventId", "MessageId", "RoomId", "UserId"]

RoomId = NewType("RoomId", str)
UserId = NewType("UserId", str)
MessageId = NewType("MessageId", str)
EventId = NewType("EventId", str)
