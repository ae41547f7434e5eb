"""Effects → Matrix: notices with HTML and mentions, reactions, pins.

Every message is an ``m.notice`` with an HTML ``formatted_body`` (``adapters.matrix_html``
escapes the text) and ``m.mentions``; the outbox id is the transaction id, so a message resent
after a crash is not posted twice. Rate limits and network faults become ``DeliveryError`` (the
runtime's outbox retries in order, waiting as asked); a refusal for good (a room the bot may not
write to any more, a message too large: any 4xx but 429) is ``DeliveryError(permanent=True)``:
the runtime does not retry it, logs it, and the engine tells the facilitator
(``matrix_session.refusal``).
"""

import json
import logging
from typing import assert_never

from aiohttp import ClientConnectionError
from nio import LocalProtocolError, RoomGetStateEventResponse, RoomSendResponse

from adapters.matrix_files import Files
from adapters.matrix_html import to_html, to_plain
from adapters.matrix_rooms import Rooms
from adapters.matrix_session import Session, refusal
from bot.effects import Outward, PostFile, React, Say, SayDirect
from bot.ports import DeliveryError
from bot.reactions import KEY_TO_EMOJI
from bot.split import fitting

__all__ = ["Sender", "notice"]

log = logging.getLogger("atelier.matrix")

#: bytes of a message's content, leaving room in the 65,536-byte event (spec: "Size limits")
#: for the event's envelope (ids, signatures, hashes)
MAX_CONTENT_BYTES = 60_000


def notice(
    markdown: str, mentions: tuple[str, ...], thread: str | None = None
) -> dict[str, object]:
    content: dict[str, object] = {
        "msgtype": "m.notice",
        "body": to_plain(markdown),
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(markdown),
        "m.mentions": {"user_ids": list(mentions)},
    }
    if thread:
        # spec "Threading": a thread reply, with a reply fallback for clients without threads
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": thread},
        }
    return content


class Sender:
    def __init__(self, session: Session, rooms: Rooms) -> None:
        self.session = session
        self.rooms = rooms
        self.files = Files(session, rooms, self.send, lambda text, thread: notice(text, (), thread))

    async def perform(self, effect: Outward, idempotency_key: str | None) -> str | None:
        match effect:
            case Say():
                event_id = await self._send_parts(
                    effect.room, effect.body, effect.mentions, idempotency_key, effect.thread
                )
                if event_id and effect.pin:
                    await self.pin(effect.room, event_id)
                return event_id
            case SayDirect():
                room = await self.rooms.direct_room(effect.user)
                await self.rooms.ready_for(room, effect.user)
                await self._send_parts(room, effect.body, (), idempotency_key)
                return None
            case React():
                emoji = KEY_TO_EMOJI.get(effect.key, effect.key)
                relation = {"rel_type": "m.annotation", "event_id": effect.message_id, "key": emoji}
                await self.send(
                    effect.room, "m.reaction", {"m.relates_to": relation}, idempotency_key
                )
                return None
            case PostFile():
                return await self.files.post(effect, idempotency_key)
            case _:
                assert_never(effect)

    async def _send_parts(
        self,
        room: str,
        body: str,
        mentions: tuple[str, ...],
        txn: str | None,
        thread: str | None = None,
    ) -> str | None:
        """Send ``body``, in numbered parts when the event would be larger than a homeserver
        takes (bot/split.py), in ``thread`` when given; the first part's event stands for the
        message."""

        def fits(part: str) -> bool:
            return len(json.dumps(notice(part, mentions, thread)).encode()) <= MAX_CONTENT_BYTES

        first: str | None = None
        for n, part in enumerate(fitting(body, fits)):
            content = notice(part, mentions if n == 0 else (), thread)  # notified once
            part_txn = txn if n == 0 or not txn else f"{txn}-{n}"
            event_id = await self.send(room, "m.room.message", content, part_txn)
            first = first or event_id
        return first

    async def send(
        self, room: str, kind: str, content: dict[str, object], txn: str | None
    ) -> str | None:
        client = self.session.require()
        try:
            answer = await client.room_send(
                room, kind, content, tx_id=txn, ignore_unverified_devices=True
            )
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        except LocalProtocolError as error:  # e.g. an encrypted room not synced yet
            raise DeliveryError(str(error)) from error
        if isinstance(answer, RoomSendResponse):
            return str(answer.event_id)
        raise refusal(answer, f"sending to {room}", may_log_in_again=self.session.can_log_in())

    async def pin(self, room: str, event_id: str) -> None:
        """Add to the room's pinned messages, where the bot has the power to."""
        client = self.session.require()
        try:
            current = await client.room_get_state_event(room, "m.room.pinned_events")
            pinned = []
            if isinstance(current, RoomGetStateEventResponse):
                pinned = list(current.content.get("pinned", []))
            answer = await client.room_put_state(
                room, "m.room.pinned_events", {"pinned": [*pinned, event_id]}
            )
            if not hasattr(answer, "event_id"):
                log.info("cannot pin in %s: %s", room, getattr(answer, "status_code", None))
        except (ClientConnectionError, TimeoutError) as error:
            log.info("cannot pin in %s now: %s", room, type(error).__name__)
