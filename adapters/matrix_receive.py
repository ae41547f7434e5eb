"""Matrix sync batches → the runtime's inbound values, in the order people wrote.

One batch: invitations, rooms left, then each joined room's timeline. A room whose timeline came
back ``limited`` has its gap fetched first (``adapters.matrix_gap``); events are merged across
rooms by server time (each room's own order kept), so private messages to the bot, each in its
own room, reach the atelier first come, first served. ``adapters.matrix_events`` says what one
event means; this module adds what needs memory: reactions kept so that a redaction can be
traced back, private rooms, members first met, and the notice about unreadable messages.
"""

import asyncio
import heapq
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientConnectionError
from nio import MegolmEvent, RedactionEvent, RoomGetStateEventResponse

from adapters.matrix_events import StoredReaction, may_redact, translate
from adapters.matrix_gap import fetch_gap
from adapters.matrix_rooms import Rooms
from adapters.matrix_send import Sender, notice
from adapters.matrix_session import Session
from bot.events import MemberLeft, MessageRemoved
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import Inbound, ReactionIn, ReactionOut, Reconnected
from bot.log_safe import failure
from bot.ports import DeliveryError, KeyValue
from bot.texts import render

__all__ = ["UNREADABLE_NOTICE_EVERY", "Receiver", "without_repeats"]

log = logging.getLogger("atelier.matrix")

#: how often, at most, the bot says in a room that it could not read an encrypted message
UNREADABLE_NOTICE_EVERY = 600.0

Emit = Callable[[Inbound], Awaitable[None]]


class Receiver:
    def __init__(
        self,
        session: Session,
        rooms: Rooms,
        sender: Sender,
        store: KeyValue,
        *,
        language: str,
        emit: Emit,
        closing: Callable[[], bool],
    ) -> None:
        self.session = session
        self.rooms = rooms
        self.sender = sender
        self.store = store
        self.language = language
        self.emit = emit
        self.closing = closing
        self._unreadable_said: dict[str, float] = {}

    async def handle(self, answer: Any, *, since: str | None) -> None:
        """One sync batch: invites, rooms left, and each joined room's timeline in order.

        ``since`` is the token the batch was asked from; None on the very first start, when
        room history is not taken as commands. A room whose timeline came back ``limited`` has
        its gap fetched back to ``since`` first, so that nothing written in between is skipped.
        """
        client = self.session.require()
        history = since is None
        for room_id, info in answer.rooms.invite.items():
            await self.rooms.on_invite(room_id, info.invite_state)
        for room_id in answer.rooms.leave:
            await self.rooms.forget_direct(room_id)
            if not history:
                await self.emit(
                    MemberLeft(
                        room=RoomId(room_id), sender=UserId(self.session.user_id), bot_removed=True
                    )
                )
        rooms: list[list[tuple[int, str, object]]] = []
        for room_id, info in answer.rooms.join.items():
            self.rooms.learn_creators(room_id, [*info.state, *info.timeline.events])
            if history or room_id not in client.rooms:
                continue
            events = list(info.timeline.events)
            if info.timeline.limited and since is not None and info.timeline.prev_batch:
                gap = await fetch_gap(
                    client, room_id, info.timeline.prev_batch, since, closing=self.closing
                )
                events = without_repeats([*gap, *events])
            rooms.append(
                [(int(getattr(e, "server_timestamp", 0) or 0), room_id, e) for e in events]
            )
        # In the order people wrote, across rooms (each room's own order kept): private
        # messages to the bot, each in its own room, reach the atelier first come, first served.
        for _, room_id, event in heapq.merge(*rooms, key=lambda item: item[0]):
            try:
                await self.on_event(client.rooms[room_id], event)
            except Exception as error:
                log.error(
                    "could not handle %s in %s: %s", type(event).__name__, room_id, failure(error)
                )

    async def on_event(self, room: Any, event: object) -> None:
        sender = getattr(event, "sender", None)
        if sender == self.session.user_id:
            return
        direct = self.rooms.is_direct(room.room_id)
        if isinstance(event, RedactionEvent):
            await self.on_redaction(room, event, direct=direct)
            return
        if isinstance(event, MegolmEvent):
            await self.say_unreadable(room)
            return
        if isinstance(sender, str):
            await self.learn_member(room, sender)
        inbound = translate(
            room, event, direct=direct, creators=self.rooms.creators.get(room.room_id, set())
        )
        if inbound is None:
            membership = getattr(event, "membership", None)
            if direct and membership in ("leave", "ban"):
                await self.rooms.forget_direct(room.room_id)
            elif direct and membership == "join" and room.encrypted:
                # they accepted the encrypted private room: what waited for them can go now
                await self.emit(Reconnected(platform="matrix"))
            return
        if isinstance(inbound, ReactionIn):
            stored = StoredReaction(room.room_id, inbound.sender, inbound.message_id, inbound.key)
            event_id = getattr(event, "event_id", "")
            await self.store.put(f"matrix.reaction.{event_id}", json.dumps(stored.__dict__))
        await self.emit(inbound)

    async def learn_member(self, room: Any, user: str) -> None:
        """Members are lazy-loaded: learn the name of someone first met in a gap or after a
        restart, so that the bot never calls them by their bare id."""
        client = self.session.client
        if user in room.users or client is None:
            return
        try:
            answer = await client.room_get_state_event(room.room_id, "m.room.member", user)
        except (ClientConnectionError, TimeoutError):
            return  # their id will do until the next message
        if isinstance(answer, RoomGetStateEventResponse):
            content = answer.content
            if content.get("membership") in ("join", "invite"):
                room.add_member(user, content.get("displayname"), content.get("avatar_url"))

    async def on_redaction(self, room: Any, event: Any, *, direct: bool) -> None:
        """A reaction taken back (one the bot counted), or a message deleted: the engine
        withdraws the input it gave when the redacter wrote it or moderates the room."""
        raw = await self.store.get(f"matrix.reaction.{event.redacts}")
        if raw:
            stored = StoredReaction(**json.loads(raw))
            await self.emit(
                ReactionOut(
                    room=RoomId(stored.room),
                    sender=UserId(stored.sender),
                    message_id=MessageId(stored.target),
                    key=stored.key,
                    event_id=EventId(event.event_id),
                )
            )
            return
        if direct or not event.redacts:
            return  # private messages are not edited into the engine
        await self.emit(
            MessageRemoved(
                room=RoomId(room.room_id),
                sender=UserId(event.sender),
                original_id=MessageId(event.redacts),
                moderator=may_redact(room, event.sender, self.rooms.creators.get(room.room_id)),
                event_id=EventId(event.event_id),
            )
        )

    async def say_unreadable(self, room: Any) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._unreadable_said.get(room.room_id, -UNREADABLE_NOTICE_EVERY) < (
            UNREADABLE_NOTICE_EVERY
        ):
            return
        self._unreadable_said[room.room_id] = now
        body = render(self.language, "matrix.cannot_decrypt")
        try:
            await self.sender.send(room.room_id, "m.room.message", notice(body, ()), None)
        except DeliveryError:
            log.warning("could not say in %s that a message was unreadable", room.room_id)


def without_repeats(events: list[object]) -> list[object]:
    """Each event once, in the order given (a gap and a timeline never overlap, but be sure)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        event_id = getattr(event, "event_id", None)
        if event_id is not None:
            if event_id in seen:
                continue
            seen.add(event_id)
        kept.append(event)
    return kept
