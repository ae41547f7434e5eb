"""The bot's Matrix rooms: invitations (accepted from allowed inviters), joins, room creators,
and one private room per person, created once (encrypted when the bot can encrypt) and
reused."""

import asyncio
import json
import logging
from typing import Any

from aiohttp import ClientConnectionError
from nio import (
    InviteMemberEvent,
    JoinResponse,
    MatrixRoom,
    RoomCreateEvent,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPreset,
)

from adapters.matrix_session import Session, refusal
from bot.backoff import Backoff
from bot.ports import DeliveryError, KeyValue

__all__ = ["ENCRYPTION", "JOIN_ATTEMPTS", "Rooms"]

log = logging.getLogger("atelier.matrix")

#: the state event that makes a room encrypted (the spec's recommended algorithm)
ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}
#: store key: user → their private room with the bot
DM_ROOMS = "matrix.dm_rooms"
#: an invitation is offered only once: how many times joining it is tried
JOIN_ATTEMPTS = 8


class Rooms:
    def __init__(self, session: Session, store: KeyValue) -> None:
        self.session = session
        self.store = store
        self.dm_rooms: dict[str, str] = {}  # user → their private room with the bot
        self.creators: dict[str, set[str]] = {}  # room → its creators (moderators by right)
        self.joins: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        self.dm_rooms = json.loads(await self.store.get(DM_ROOMS) or "{}")

    def is_direct(self, room_id: str) -> bool:
        return room_id in self.dm_rooms.values()

    def learn_creators(self, room_id: str, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, RoomCreateEvent):
                content = event.source.get("content", {})
                extra = content.get("additional_creators") or []
                self.creators[room_id] = {event.sender, *map(str, extra)}

    def may_invite(self, user: str) -> bool:
        user_id = self.session.user_id
        allowed = self.session.settings.allowed_inviters or [":" + user_id.split(":", 1)[1]]
        return any(
            entry == "*" or entry == user or (entry.startswith(":") and user.endswith(entry))
            for entry in allowed
        )

    async def on_invite(self, room_id: str, invite_state: list[Any]) -> None:
        client = self.session.require()
        mine = [
            e
            for e in invite_state
            if isinstance(e, InviteMemberEvent) and e.state_key == self.session.user_id
        ]
        if not mine:
            return
        inviter = mine[-1].sender
        if not self.may_invite(inviter):
            log.warning(
                "declining %s's invitation to %s (not in allowed_inviters)", inviter, room_id
            )
            await client.room_leave(room_id)
            return
        if mine[-1].content.get("is_direct"):
            await self.remember_direct(inviter, room_id)
        task = asyncio.get_running_loop().create_task(self.join(room_id))
        self.joins.add(task)
        task.add_done_callback(self.joins.discard)

    async def join(self, room_id: str, attempts: int = JOIN_ATTEMPTS) -> None:
        """Join, waiting as asked when rate limited (an invitation is offered only once)."""
        client = self.session.require()
        backoff = Backoff()
        for _ in range(attempts):
            try:
                answer = await client.join(room_id)
            except (ClientConnectionError, TimeoutError):
                answer = None
            if isinstance(answer, JoinResponse):
                return
            asked = getattr(answer, "retry_after_ms", None)
            await asyncio.sleep(backoff.next(asked / 1000 if asked else None))
        log.error("could not join %s after %d attempts", room_id, attempts)

    def cancel_joins(self) -> None:
        for join in list(self.joins):
            join.cancel()

    async def remember_direct(self, user: str, room_id: str) -> None:
        self.dm_rooms[user] = room_id
        await self.store.put(DM_ROOMS, json.dumps(self.dm_rooms))

    async def forget_direct(self, room_id: str) -> None:
        for user, known in list(self.dm_rooms.items()):
            if known == room_id:
                del self.dm_rooms[user]
                await self.store.put(DM_ROOMS, json.dumps(self.dm_rooms))

    async def direct_room(self, user: str) -> str:
        """The private room with ``user``, created (and remembered) the first time.

        When the bot can encrypt (nio with olm), the room is created encrypted (``initial_state``
        ``m.room.encryption``): what the bot says there privately is for that person only.
        """
        known = self.dm_rooms.get(user)
        if known:
            return known
        client = self.session.require()
        encrypted = bool(getattr(client, "olm", None))
        try:
            answer = await client.room_create(
                is_direct=True,
                invite=[user],
                preset=RoomPreset.trusted_private_chat,
                initial_state=[ENCRYPTION] if encrypted else [],
            )
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        if not isinstance(answer, RoomCreateResponse):
            # a 4xx (no such user, a deactivated account, invitations refused) is for good
            raise refusal(
                answer,
                f"opening a private room with {user}",
                may_log_in_again=self.session.can_log_in(),
            )
        room_id = str(answer.room_id)
        # known to nio before the next sync brings it, so that sending there works at once
        room = MatrixRoom(room_id, self.session.user_id, encrypted=encrypted)
        room.add_member(user, None, None, invited=True)
        client.rooms.setdefault(room_id, room)
        await self.remember_direct(user, room_id)
        return room_id

    async def ready_for(self, room_id: str, user: str) -> None:
        """Raise ``DeliveryError`` (to try again) while ``user`` has not joined the encrypted
        private room the bot opened: nio shares a room's keys with the members who joined, so
        a message sent before would stay unreadable to them. The receiver nudges the runtime
        when they join (``Reconnected``). Members are lazy-loaded: one not known yet is asked
        about."""
        client = self.session.require()
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted:
            return
        if user in room.users and user not in room.invited_users:
            return
        try:
            answer = await client.room_get_state_event(room_id, "m.room.member", user)
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        joined = isinstance(answer, RoomGetStateEventResponse) and (
            answer.content.get("membership") == "join"
        )
        if joined:
            return
        raise DeliveryError(f"waiting for {user} to join the private room {room_id}")
