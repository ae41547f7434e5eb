"""Simulated people on a real Matrix homeserver: one matrix-nio client each.

They play ``bot.scenario`` in a real room (the demo and the Matrix tests), write to the bot in
private rooms they open themselves, react with emoji and take reactions back by redaction.
Each keeps a sync loop running, accepts the bot's invitations, and reports what the bot says
(``heard``), in the room and privately, so the reader (or a test) sees the conversation.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinedMembersResponse,
    LocalProtocolError,
    LoginResponse,
    MegolmEvent,
    MessageDirection,
    RoomCreateResponse,
    RoomLeaveResponse,
    RoomMessageFormatted,
    RoomMessageNotice,
    RoomMessagesResponse,
    RoomPutStateResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)

from adapters.matrix import encryption_housekeeping
from bot.reactions import KEY_TO_EMOJI
from bot.scenario import Heard, wait_for_ref
from bot.scenario import name as display_name
from bot.state import AtelierState
from devkit.synapse_local import Account

__all__ = ["Heard", "MatrixPeople"]

log = logging.getLogger("atelier.people")

#: seconds between adding a reaction and taking it back (see ``MatrixPeople.react``)
REACTION_READING_TIME = 1.5

ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class MatrixPeople:
    """People with accounts on ``homeserver`` (by their name in the script), in one room."""

    def __init__(
        self,
        homeserver: str,
        accounts: dict[str, Account],
        bot_user: str,
        *,
        key_dir: Path,
        refs: Callable[[str, str], Awaitable[str | None]],
        state: Callable[[str], Awaitable[AtelierState | None]],
        on_heard: Callable[[Heard], None] | None = None,
    ) -> None:
        self.homeserver = homeserver
        self.accounts = accounts
        self.bot_user = bot_user
        self.key_dir = key_dir
        self._refs = refs
        self._state = state
        self.on_heard = on_heard
        self.clients: dict[str, AsyncClient] = {}
        self.direct: dict[str, str] = {}  # person → their private room with the bot
        self.room = ""
        self.facilitator = ""
        self.heard: list[Heard] = []
        self._reactions: dict[tuple[str, str, str], str] = {}
        self._loops: list[asyncio.Task[None]] = []

    def user_id(self, person: str) -> str:
        return self.accounts[person].user_id

    # -- set-up --------------------------------------------------------------------------------
    async def open(
        self,
        *,
        facilitator: str,
        encrypted: bool = False,
        name: str = "Atelier",
        bot_power: int | None = None,
        private_rooms: bool = True,
    ) -> str:
        """Log everyone in; the facilitator opens the room and invites the others and the bot.

        ``bot_power`` makes the bot a moderator (50), so that it may pin the ground rules.
        Without ``private_rooms``, nobody opens a private room: the bot will open its own.
        """
        for person, account in self.accounts.items():
            client = AsyncClient(
                self.homeserver,
                self.user_id(person),
                store_path=str(self.key_dir / person),
                config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
            )
            (self.key_dir / person).mkdir(parents=True, exist_ok=True)
            answer = await client.login(account.password, device_name=f"{person}-demo")
            if not isinstance(answer, LoginResponse):
                raise RuntimeError(f"{person} cannot log in: {answer}")
            await client.sync(timeout=0, full_state=True)
            await client.set_displayname(display_name(person))  # Chloé, Élise
            self.clients[person] = client
        self.facilitator = facilitator
        host = self.clients[facilitator]
        others = [self.user_id(p) for p in self.accounts if p != facilitator]
        created = await host.room_create(
            name=name,
            invite=[*others, self.bot_user],
            initial_state=[ENCRYPTION] if encrypted else [],
        )
        if not isinstance(created, RoomCreateResponse):
            raise RuntimeError(f"cannot create the room: {created}")
        self.room = created.room_id
        if bot_power is not None:
            levels = await host.room_get_state_event(self.room, "m.room.power_levels")
            content = dict(getattr(levels, "content", {}))
            content["users"] = {**content.get("users", {}), self.bot_user: bot_power}
            await host.room_put_state(self.room, "m.room.power_levels", content)
        for person, client in self.clients.items():
            if person != facilitator:
                await client.join(self.room)
            if not private_rooms:
                continue
            private = await client.room_create(is_direct=True, invite=[self.bot_user])
            if not isinstance(private, RoomCreateResponse):
                raise RuntimeError(f"{person} cannot open a private room: {private}")
            self.direct[person] = private.room_id
        for person, client in self.clients.items():
            self._loops.append(asyncio.get_running_loop().create_task(self._listen(person, client)))
        for room in [self.room, *self.direct.values()]:
            await self._until_bot_joined(host if room == self.room else None, room)
        return self.room

    async def _until_bot_joined(
        self, client: AsyncClient | None, room: str, limit: float = 60
    ) -> None:
        if client is None:
            client = next(c for p, c in self.clients.items() if self.direct[p] == room)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            members = await client.joined_members(room)
            if isinstance(members, JoinedMembersResponse) and any(
                m.user_id == self.bot_user for m in members.members
            ):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the bot did not join {room}")

    async def _listen(self, person: str, client: AsyncClient) -> None:
        """Sync forever: accept invitations, keep encryption keys flowing, note the bot's words."""
        while True:
            try:
                answer = await client.sync(timeout=10_000)
                if not isinstance(answer, SyncResponse):
                    await asyncio.sleep(0.5)
                    continue
                for room_id in answer.rooms.invite:
                    await client.join(room_id)
                    if room_id != self.room:  # the bot opened a private room with this person
                        self.direct.setdefault(person, room_id)
                self._note(person, answer)
                await encryption_housekeeping(client)
            except asyncio.CancelledError:
                raise
            except (ClientConnectionError, TimeoutError):
                await asyncio.sleep(0.5)  # the homeserver is down (a test stopped it)
            except Exception:
                log.exception("%s's sync failed", person)
                await asyncio.sleep(0.5)

    def _note(self, person: str, answer: SyncResponse) -> None:
        facilitator_view = person == self.facilitator
        for room_id, info in answer.rooms.join.items():
            in_room = room_id == self.room
            if in_room and not facilitator_view:
                continue  # the room is reported once, through the first person's eyes
            for event in info.timeline.events:
                if getattr(event, "sender", None) != self.bot_user:
                    continue
                if isinstance(event, RoomMessageNotice):
                    content = event.source.get("content", {})
                    mentions = tuple(content.get("m.mentions", {}).get("user_ids", []))
                    heard = Heard(
                        None if in_room else person,
                        event.body,
                        event.event_id,
                        content.get("formatted_body"),
                        mentions,
                        room_id,
                    )
                elif isinstance(event, MegolmEvent):
                    heard = Heard(
                        None if in_room else person,
                        "(illisible)",
                        event.event_id,
                        None,
                        (),
                        room_id,
                    )
                else:
                    continue
                self.heard.append(heard)
                if self.on_heard is not None:
                    self.on_heard(heard)

    async def close(self) -> None:
        for task in self._loops:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client in self.clients.values():
            await client.close()

    # -- the scenario's People protocol --------------------------------------------------------
    async def _send(self, person: str, room: str, content: dict[str, object], kind: str) -> str:
        client = self.clients[person]
        for _ in range(100):
            try:
                answer = await client.room_send(room, kind, content, ignore_unverified_devices=True)
            except LocalProtocolError:  # the room is not in this client's sync yet
                await asyncio.sleep(0.1)
                continue
            if isinstance(answer, RoomSendResponse):
                return str(answer.event_id)
            raise RuntimeError(f"{person} could not send to {room}: {answer}")
        raise RuntimeError(f"{person} never saw the room {room}")

    async def say(self, user: str, text: str, *, thread: str | None = None) -> str:
        """``user`` writes in the room (in the thread of event ``thread``, as Element does);
        returns the event id."""
        content: dict[str, object] = {"msgtype": "m.text", "body": text}
        if thread:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": thread},
            }
        return await self._send(user, self.room, content, "m.room.message")

    async def redact(self, user: str, event_id: str) -> None:
        """``user`` deletes a message of the room (``PUT /rooms/{id}/redact/{event_id}``)."""
        answer = await self.clients[user].room_redact(self.room, event_id)
        if not isinstance(answer, RoomRedactResponse):
            raise RuntimeError(f"{user} could not redact {event_id}: {answer}")

    async def set_power(self, user_id: str, level: int) -> None:
        """The facilitator (the room's creator) gives ``user_id`` a power level."""
        host = self.clients[self.facilitator]
        levels = await host.room_get_state_event(self.room, "m.room.power_levels")
        content = dict(getattr(levels, "content", {}))
        content["users"] = {**content.get("users", {}), user_id: level}
        answer = await host.room_put_state(self.room, "m.room.power_levels", content)
        if not isinstance(answer, RoomPutStateResponse):
            raise RuntimeError(f"cannot change power levels: {answer}")

    async def dm(self, user: str, text: str) -> None:
        await self._send(
            user, self.direct[user], {"msgtype": "m.text", "body": text}, "m.room.message"
        )

    async def react(self, user: str, ref: str, key: str, *, remove: bool) -> str:
        target = await wait_for_ref(self._refs, self.room, ref)
        if remove:
            reaction = self._reactions.pop((user, target, key))
            # People take a reaction back after a moment. A redaction that reaches the bot in
            # the same sync as its reaction hides the reaction altogether (Synapse then serves
            # it already redacted), which is right, but not what the scenario plays.
            await asyncio.sleep(REACTION_READING_TIME)
            await self.clients[user].room_redact(self.room, reaction)
        else:
            relation = {"rel_type": "m.annotation", "event_id": target, "key": KEY_TO_EMOJI[key]}
            reaction = await self._send(user, self.room, {"m.relates_to": relation}, "m.reaction")
            self._reactions[(user, target, key)] = reaction
        return target[:12] + "…"

    async def leave(self, user: str) -> None:
        """``user`` leaves the atelier's room (their private room with the bot stays open)."""
        answer = await self.clients[user].room_leave(self.room)
        if not isinstance(answer, RoomLeaveResponse):
            raise RuntimeError(f"{user} could not leave {self.room}: {answer}")

    async def room_messages(self, reader: str | None = None) -> list[tuple[str | None, str]]:
        """Every message of the room as the homeserver holds it, oldest first, read back by
        ``reader`` (the facilitator unless said): (the person's name, or None for the bot; the
        text). Encrypted messages the reader cannot read show as ``(illisible)``."""
        client = self.clients[reader or self.facilitator]
        names = {self.user_id(p): p for p in self.accounts}
        found: list[tuple[str | None, str]] = []
        token = ""
        while True:
            page = await client.room_messages(
                self.room, start=token, direction=MessageDirection.back, limit=200
            )
            if not isinstance(page, RoomMessagesResponse):
                raise RuntimeError(f"cannot read {self.room}: {page}")
            for event in page.chunk:
                if isinstance(event, RoomMessageFormatted):
                    text = event.body
                elif isinstance(event, MegolmEvent):
                    text = "(illisible)"
                else:
                    continue
                bot = event.sender == self.bot_user
                found.append((None if bot else names.get(event.sender, event.sender), text))
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        return found[::-1]

    async def state(self) -> AtelierState | None:
        return await self._state(self.room)
