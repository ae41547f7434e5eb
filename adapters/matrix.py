"""The Matrix adapter, on matrix-nio: rooms and private rooms in, notices and reactions out.

- **Session**: logs in once (password or access token), then keeps the device id and access token
  in the bot's store, so a restart reuses the same device (and its encryption keys, kept in
  ``[matrix] store_dir``).
- **Sync**: our own loop instead of ``sync_forever`` (which ends on the first exception): each
  batch is handed to the runtime, *then* its ``next_batch`` token is saved, so a restart neither
  replays nor misses anything (the runtime also ignores an event id it has handled). The sync
  filter asks for up to ``TIMELINE_LIMIT`` events per room; when a room's timeline still comes
  back ``limited`` (a burst, a restart, an outage), the gap is fetched with ``/messages`` back to
  the previous batch, page by page, and handled first (``adapters.matrix_gap``). On the very
  first start, room history is not taken as commands. A homeserver that is down is retried with
  backoff; when it is back, the runtime is told so and delivers what it owes at once.
- **Sending**: ``m.notice`` with HTML ``formatted_body`` and ``m.mentions`` on every message; the
  outbox id is the transaction id, so a message resent after a crash is not posted twice. Rate
  limits and network faults become ``DeliveryError`` (the runtime's outbox retries in order);
  rooms the bot may not write to any more drop the message.
- **Private messages** go to one direct room per person, created once and reused.
"""

import asyncio
import contextlib
import heapq
import json
import logging
from pathlib import Path

from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinResponse,
    LocalProtocolError,
    LoginError,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RedactionEvent,
    RoomCreateEvent,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPreset,
    RoomSendResponse,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)

from adapters.matrix_events import StoredReaction, translate
from adapters.matrix_gap import SYNC_FILTER, GapUnavailable, fetch_gap
from adapters.matrix_html import to_html, to_plain
from bot.config import MatrixSection
from bot.effects import React, Say, SayDirect
from bot.events import MemberLeft
from bot.ids import EventId, RoomId, UserId
from bot.inbound import ReactionOut, Reconnected
from bot.ports import DeliveryError, Sink
from bot.reactions import KEY_TO_EMOJI
from bot.store import Store
from bot.texts import render

__all__ = ["MatrixAdapter", "MatrixLoginError", "encryption_housekeeping"]

log = logging.getLogger("atelier.matrix")

SYNC_TIMEOUT_MS = 30_000
MAX_BACKOFF = 30.0
#: errors after which a message can never be delivered (the bot left, the room is gone…)
PERMANENT = {"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_BAD_JSON", "M_TOO_LARGE"}
#: how often, at most, the bot says in a room that it could not read an encrypted message
UNREADABLE_NOTICE_EVERY = 600.0


class MatrixLoginError(Exception):
    """The homeserver refused the bot's credentials (a configuration problem)."""


class MatrixAdapter:
    name = "matrix"

    def __init__(
        self, settings: MatrixSection, store: Store, *, language: str, key_dir: Path
    ) -> None:
        self.settings = settings
        self.store = store
        self.language = language
        self.key_dir = key_dir
        self.user_id = settings.user_id
        self.client: AsyncClient | None = None
        self._sink: Sink | None = None
        self._task: asyncio.Task[None] | None = None
        self._since: str | None = None
        self._dm_rooms: dict[str, str] = {}  # user → their private room with the bot
        self._creators: dict[str, set[str]] = {}
        self._unreadable_said: dict[str, float] = {}
        self._joins: set[asyncio.Task[None]] = set()
        self._closing = False
        self.synced = asyncio.Event()  # set after every completed sync (tests wait on it)

    def owns(self, room: str) -> bool:
        return room.startswith("!") or room == "matrix:direct"

    def room_name(self, room: str) -> str | None:
        known = self.client.rooms.get(room) if self.client is not None else None
        return known.display_name if known is not None else None

    # -- session -------------------------------------------------------------------------------
    async def connect(self, sink: Sink) -> None:
        self._sink = sink
        self.key_dir.mkdir(parents=True, exist_ok=True)
        self._since = await self.store.get("matrix.next_batch")
        self._dm_rooms = json.loads(await self.store.get("matrix.dm_rooms") or "{}")
        await self._login()
        first = await self._first_sync()
        await self._handle(first, since=self._since)
        await encryption_housekeeping(self.client)  # our keys, before anyone encrypts for us
        await self._save_token(first.next_batch)
        self._task = asyncio.get_running_loop().create_task(self._sync_loop())

    async def _login(self) -> None:
        token = await self.store.get("matrix.access_token")
        device = await self.store.get("matrix.device_id")
        config = AsyncClientConfig(
            max_limit_exceeded=0,
            max_timeouts=0,
            request_timeout=SYNC_TIMEOUT_MS / 1000 + 15,
            encryption_enabled=True,
            store_sync_tokens=False,
        )
        self.client = AsyncClient(
            self.settings.homeserver,
            self.user_id,
            device_id=device,
            store_path=str(self.key_dir),
            config=config,
        )
        if token and device:
            self.client.restore_login(self.user_id, device, token)
            return
        if self.settings.access_token:
            self.client.access_token = self.settings.access_token
            who = await self._retrying(self.client.whoami)
            if not isinstance(who, WhoamiResponse) or not who.device_id:
                raise MatrixLoginError(f"[matrix] access_token: refused by the homeserver ({who})")
            self.client.restore_login(self.user_id, who.device_id, self.settings.access_token)
        else:
            answer = await self._retrying(
                lambda: self.client.login(  # type: ignore[union-attr]
                    self.settings.password, device_name=self.settings.device_name
                )
            )
            if isinstance(answer, LoginError):
                raise MatrixLoginError(
                    f"[matrix] password: the homeserver refused the login of {self.user_id} "
                    f"({answer.message})"
                )
        await self.store.put("matrix.access_token", self.client.access_token)
        await self.store.put("matrix.device_id", self.client.device_id)

    async def _retrying(self, call):  # type: ignore[no-untyped-def]
        """Call until the homeserver answers at all (it may still be starting)."""
        delay = 1.0
        while True:
            try:
                return await call()
            except (ClientConnectionError, TimeoutError) as error:
                log.warning("homeserver unreachable (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)

    async def _first_sync(self) -> SyncResponse:
        """Full state (so room members and creators are known), from the saved token if any."""
        assert self.client is not None
        while True:
            answer = await self._retrying(
                lambda: self.client.sync(  # type: ignore[union-attr]
                    timeout=0, since=self._since, full_state=True, sync_filter=SYNC_FILTER
                )
            )
            if isinstance(answer, SyncResponse):
                return answer
            await self._sync_failed(answer)

    async def _sync_failed(self, answer: SyncError) -> None:
        if answer.status_code == "M_UNKNOWN_TOKEN":
            # the stored session was logged out elsewhere: start a new one with the password
            await self.store.put("matrix.access_token", "")
            await self.store.put("matrix.device_id", "")
            if not self.settings.password:
                raise MatrixLoginError("[matrix] access_token: the homeserver no longer accepts it")
            await self._login()
            return
        log.warning("sync refused: %s", answer)
        await asyncio.sleep(1.0)

    async def _sync_loop(self) -> None:
        delay = 1.0
        down = False
        while not self._closing:
            assert self.client is not None
            try:
                answer = await self.client.sync(
                    timeout=SYNC_TIMEOUT_MS, since=self._since, sync_filter=SYNC_FILTER
                )
            except (ClientConnectionError, TimeoutError, LocalProtocolError) as error:
                if not down:
                    log.warning("lost the homeserver (%s); reconnecting", error)
                down = True
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)
                continue
            if not isinstance(answer, SyncResponse):
                await self._sync_failed(answer)
                continue
            delay = 1.0
            try:
                if down:
                    down = False
                    log.warning("homeserver back; delivering what was owed")
                    await self._emit(Reconnected(platform=self.name))
                await self._handle(answer, since=self._since)
                await encryption_housekeeping(self.client)
            except GapUnavailable:
                return  # closing before a gap was read: the token stays before it
            except Exception:  # never let one bad event stop the bot
                log.exception("could not handle a sync batch")
            await self._save_token(answer.next_batch)

    async def _save_token(self, token: str) -> None:
        self._since = token
        await self.store.put("matrix.next_batch", token)
        self.synced.set()
        self.synced.clear()

    async def close(self) -> None:
        self._closing = True
        for join in list(self._joins):
            join.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.client is not None:
            await self.client.close()

    # -- inbound -------------------------------------------------------------------------------
    async def _emit(self, inbound: object) -> None:
        if self._sink is not None:
            await self._sink(inbound)

    async def _handle(self, answer: SyncResponse, *, since: str | None) -> None:
        """One sync batch: invites, rooms left, and each joined room's timeline in order.

        ``since`` is the token the batch was asked from; None on the very first start, when
        room history is not taken as commands. A room whose timeline came back ``limited`` has
        its gap fetched back to ``since`` first, so that nothing written in between is skipped.
        """
        assert self.client is not None
        history = since is None
        for room_id, info in answer.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
        for room_id in answer.rooms.leave:
            await self._forget_direct_room(room_id)
            if not history:
                await self._emit(
                    MemberLeft(room=RoomId(room_id), sender=UserId(self.user_id), bot_removed=True)
                )
        rooms: list[list[tuple[int, str, object]]] = []
        for room_id, info in answer.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                if isinstance(event, RoomCreateEvent):
                    content = event.source.get("content", {})
                    extra = content.get("additional_creators") or []
                    self._creators[room_id] = {event.sender, *map(str, extra)}
            if history or room_id not in self.client.rooms:
                continue
            events = list(info.timeline.events)
            if info.timeline.limited and since is not None and info.timeline.prev_batch:
                gap = await fetch_gap(
                    self.client, room_id, info.timeline.prev_batch, since, closing=self._closed
                )
                events = _without_repeats([*gap, *events])
            rooms.append(
                [(int(getattr(e, "server_timestamp", 0) or 0), room_id, e) for e in events]
            )
        # In the order people wrote, across rooms (each room's own order kept): private
        # messages to the bot, each in its own room, reach the atelier first come, first served.
        for _, room_id, event in heapq.merge(*rooms, key=lambda item: item[0]):
            try:
                await self._on_event(self.client.rooms[room_id], event)
            except Exception:
                log.exception("could not handle %s in %s", type(event).__name__, room_id)

    def _closed(self) -> bool:
        return self._closing

    async def _on_event(self, room: MatrixRoom, event: object) -> None:
        sender = getattr(event, "sender", None)
        if sender == self.user_id:
            return
        direct = room.room_id in self._dm_rooms.values()
        if isinstance(event, RedactionEvent):
            await self._on_redaction(room, event)
            return
        if isinstance(event, MegolmEvent):
            await self._say_unreadable(room)
            return
        if isinstance(sender, str):
            await self._learn_member(room, sender)
        inbound = translate(
            room, event, direct=direct, creators=self._creators.get(room.room_id, set())
        )
        if inbound is None:
            if direct and getattr(event, "membership", None) in ("leave", "ban"):
                await self._forget_direct_room(room.room_id)
            return
        if isinstance(event, ReactionEvent):
            stored = StoredReaction(room.room_id, event.sender, event.reacts_to, inbound.key)  # type: ignore[attr-defined]
            await self.store.put(f"matrix.reaction.{event.event_id}", json.dumps(stored.__dict__))
        await self._emit(inbound)

    async def _learn_member(self, room: MatrixRoom, user: str) -> None:
        """Members are lazy-loaded: learn the name of someone first met in a gap or after a
        restart, so that the bot never calls them by their bare id."""
        if user in room.users or self.client is None:
            return
        try:
            answer = await self.client.room_get_state_event(room.room_id, "m.room.member", user)
        except (ClientConnectionError, TimeoutError):
            return  # their id will do until the next message
        if isinstance(answer, RoomGetStateEventResponse):
            content = answer.content
            if content.get("membership") in ("join", "invite"):
                room.add_member(user, content.get("displayname"), content.get("avatar_url"))

    async def _on_redaction(self, room: MatrixRoom, event: RedactionEvent) -> None:
        raw = await self.store.get(f"matrix.reaction.{event.redacts}")
        if not raw:
            return  # not a reaction we counted
        stored = StoredReaction(**json.loads(raw))
        await self._emit(
            ReactionOut(
                room=RoomId(stored.room),
                sender=UserId(stored.sender),
                message_id=stored.target,  # type: ignore[arg-type]
                key=stored.key,
                event_id=EventId(event.event_id),
            )
        )

    async def _on_invite(self, room_id: str, invite_state: list[object]) -> None:
        assert self.client is not None
        mine = [
            e
            for e in invite_state
            if isinstance(e, InviteMemberEvent) and e.state_key == self.user_id
        ]
        if not mine:
            return
        inviter = mine[-1].sender
        if not self._may_invite(inviter):
            log.warning(
                "declining %s's invitation to %s (not in allowed_inviters)", inviter, room_id
            )
            await self.client.room_leave(room_id)
            return
        if mine[-1].content.get("is_direct"):
            await self._remember_direct_room(inviter, room_id)
        task = asyncio.get_running_loop().create_task(self._join(room_id))
        self._joins.add(task)
        task.add_done_callback(self._joins.discard)

    async def _join(self, room_id: str, attempts: int = 8) -> None:
        """Join, waiting as asked when rate limited (an invitation is offered only once)."""
        assert self.client is not None
        delay = 1.0
        for _ in range(attempts):
            try:
                answer = await self.client.join(room_id)
            except (ClientConnectionError, TimeoutError):
                answer = None
            if isinstance(answer, JoinResponse):
                return
            retry_after = getattr(answer, "retry_after_ms", None)
            await asyncio.sleep(retry_after / 1000 if retry_after else delay)
            delay = min(MAX_BACKOFF, delay * 2)
        log.error("could not join %s after %d attempts", room_id, attempts)

    def _may_invite(self, user: str) -> bool:
        allowed = self.settings.allowed_inviters or [":" + self.user_id.split(":", 1)[1]]
        return any(
            entry == "*" or entry == user or (entry.startswith(":") and user.endswith(entry))
            for entry in allowed
        )

    async def _remember_direct_room(self, user: str, room_id: str) -> None:
        self._dm_rooms[user] = room_id
        await self.store.put("matrix.dm_rooms", json.dumps(self._dm_rooms))

    async def _forget_direct_room(self, room_id: str) -> None:
        for user, known in list(self._dm_rooms.items()):
            if known == room_id:
                del self._dm_rooms[user]
                await self.store.put("matrix.dm_rooms", json.dumps(self._dm_rooms))

    async def _say_unreadable(self, room: MatrixRoom) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._unreadable_said.get(room.room_id, -UNREADABLE_NOTICE_EVERY) < (
            UNREADABLE_NOTICE_EVERY
        ):
            return
        self._unreadable_said[room.room_id] = now
        body = render(self.language, "matrix.cannot_decrypt")
        try:
            await self._send(room.room_id, "m.room.message", _notice(body, ()), None)
        except DeliveryError:
            log.warning("could not say in %s that a message was unreadable", room.room_id)

    # -- outbound ------------------------------------------------------------------------------
    async def perform(
        self, effect: Say | SayDirect | React, *, idempotency_key: str | None = None
    ) -> str | None:
        if isinstance(effect, Say):
            event_id = await self._send(
                effect.room,
                "m.room.message",
                _notice(effect.body, effect.mentions),
                idempotency_key,
            )
            if event_id and effect.pin:
                await self._pin(effect.room, event_id)
            return event_id
        if isinstance(effect, SayDirect):
            room = await self._direct_room(effect.user)
            await self._send(room, "m.room.message", _notice(effect.body, ()), idempotency_key)
            return None
        emoji = KEY_TO_EMOJI.get(effect.key, effect.key)
        relation = {"rel_type": "m.annotation", "event_id": effect.message_id, "key": emoji}
        await self._send(effect.room, "m.reaction", {"m.relates_to": relation}, idempotency_key)
        return None

    async def _send(
        self, room: str, kind: str, content: dict[str, object], txn: str | None
    ) -> str | None:
        assert self.client is not None
        try:
            answer = await self.client.room_send(
                room, kind, content, tx_id=txn, ignore_unverified_devices=True
            )
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        except LocalProtocolError as error:  # e.g. an encrypted room not synced yet
            raise DeliveryError(str(error)) from error
        if isinstance(answer, RoomSendResponse):
            return str(answer.event_id)
        if answer.status_code == "M_LIMIT_EXCEEDED":
            raise DeliveryError("rate limited", retry_after=(answer.retry_after_ms or 1000) / 1000)
        if answer.status_code in PERMANENT:
            log.warning("dropping a message to %s: %s", room, answer.message)
            return None
        raise DeliveryError(f"{answer.status_code}: {answer.message}")

    async def _pin(self, room: str, event_id: str) -> None:
        """Add to the room's pinned messages, where the bot has the power to."""
        assert self.client is not None
        try:
            current = await self.client.room_get_state_event(room, "m.room.pinned_events")
            pinned = []
            if isinstance(current, RoomGetStateEventResponse):
                pinned = list(current.content.get("pinned", []))
            answer = await self.client.room_put_state(
                room, "m.room.pinned_events", {"pinned": [*pinned, event_id]}
            )
            if not hasattr(answer, "event_id"):
                log.info("cannot pin in %s: %s", room, getattr(answer, "message", answer))
        except (ClientConnectionError, TimeoutError) as error:
            log.info("cannot pin in %s now: %s", room, error)

    async def _direct_room(self, user: str) -> str:
        known = self._dm_rooms.get(user)
        if known:
            return known
        assert self.client is not None
        try:
            answer = await self.client.room_create(
                is_direct=True, invite=[user], preset=RoomPreset.trusted_private_chat
            )
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        if not isinstance(answer, RoomCreateResponse):
            raise DeliveryError(f"cannot open a private room with {user}: {answer}")
        room_id = str(answer.room_id)
        # known to nio before the next sync brings it, so that sending there works at once
        self.client.rooms.setdefault(room_id, MatrixRoom(room_id, self.user_id))
        await self._remember_direct_room(user, room_id)
        return room_id


async def encryption_housekeeping(client: AsyncClient) -> None:
    """What ``sync_forever`` does between syncs: upload, query and claim keys, send to-device."""
    if not client.olm:
        return
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


def _without_repeats(events: list[object]) -> list[object]:
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


def _notice(markdown: str, mentions: tuple[str, ...]) -> dict[str, object]:
    return {
        "msgtype": "m.notice",
        "body": to_plain(markdown),
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(markdown),
        "m.mentions": {"user_ids": list(mentions)},
    }
