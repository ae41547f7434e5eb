"""Ports: the contract every chat platform adapter fulfils (adapters/ implement it).

An adapter turns platform events into ``bot.inbound`` values (handed to ``deliver``) and performs
effects. It depends on ``bot``. In ``bot``, only the assembly (``bot.app``, ``bot.cli``) imports
an adapter: the engine, runtime and store never do (``tests/test_import_graph.py``).
"""

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.effects import Outward
from bot.inbound import Inbound

__all__ = ["Adapter", "DeliveryError", "KeyValue", "Sink"]

#: where an adapter hands what happened on its platform (the runtime's ``receive``)
Sink = Callable[[Inbound], Awaitable[None]]


class KeyValue(Protocol):
    """The little an adapter keeps between runs (sync token, device id, known rooms…).

    Values are strings (JSON where structured), written at once; the store implements it.
    """

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...


class DeliveryError(Exception):
    """An effect could not be performed now (server down, rate limit); try again later.

    ``retry_after`` is the delay the platform asked for, when it gave one. ``permanent``: the
    platform refused it for good (forbidden, too large, no such user): it is not retried.
    """

    def __init__(
        self, message: str, retry_after: float | None = None, *, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Adapter(Protocol):
    #: a short name, used to route private messages ("console", "matrix", "mattermost")
    name: str

    def owns(self, room: str) -> bool:
        """Whether this room id belongs to this platform."""
        ...

    def room_name(self, room: str) -> str | None:
        """The room's name as people see it (None when unknown): private messages may name
        their atelier with it (``suivant dans lyon``), and the bot lists ateliers by it."""
        ...

    async def connect(self, sink: Sink) -> None:
        """Log in and start handing inbound events to ``sink`` (returns once listening)."""
        ...

    async def perform(self, effect: Outward, *, idempotency_key: str | None = None) -> str | None:
        """Do it; return the platform id of a message sent (for ``Say``), if any.

        ``idempotency_key`` is the same each time the runtime retries one effect: a platform
        that supports it (Matrix transaction ids) then posts the message once, even when an
        earlier attempt reached the server before the bot crashed. Raise ``DeliveryError``
        when it cannot be done now.
        """
        ...

    async def close(self) -> None: ...
