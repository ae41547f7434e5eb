"""What a sync left out: the sync filter, and the events of a ``limited`` timeline's gap.

A ``/sync`` answer holds at most the filter's timeline limit of events per room. When more were
written since the previous batch (a burst, a restart, an outage), the room's timeline comes back
``limited`` with a ``prev_batch`` token, and the events between the previous batch and
``prev_batch`` must be asked for with ``/messages`` (client-server API, "Syncing": "if the
timeline is limited, the client can fill the gap by calling /messages with from=prev_batch and
to=the since token"). Skipping them loses people's inputs for good.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import ClientConnectionError
from nio import (
    MessageDirection,
    RoomMemberEvent,
    RoomMessagesError,
    RoomMessagesResponse,
)

from bot.backoff import Backoff

__all__ = ["GAP_PAGE", "SYNC_FILTER", "TIMELINE_LIMIT", "fetch_gap"]

log = logging.getLogger("atelier.matrix")

#: events per room in one sync; a larger burst is fetched as a gap
TIMELINE_LIMIT = 200
#: events per ``/messages`` page when filling a gap (Synapse serves at most 1,000)
GAP_PAGE = 250
#: the sync filter: a generous timeline, and only the members the timeline needs
#: (``lazy_load_members``, spec "Lazy-loading room members"); names of others are fetched
#: when first met (``Receiver.learn_member`` in ``adapters.matrix_receive``)
SYNC_FILTER: dict[str, object] = {
    "room": {
        "timeline": {"limit": TIMELINE_LIMIT},
        "state": {"lazy_load_members": True},
    }
}
#: errors after which the rest of a gap can never be read (the bot left the room…)
GONE = {"M_FORBIDDEN", "M_NOT_FOUND"}


class GapUnavailable(Exception):
    """The gap could not be fetched and the adapter is closing: do not save the sync token."""


async def fetch_gap(
    client: Any,
    room_id: str,
    prev_batch: str,
    since: str,
    *,
    closing: Callable[[], bool],
) -> list[object]:
    """The events between ``since`` and ``prev_batch``, oldest first.

    Pages backwards from ``prev_batch`` until ``since``, or until the bot's own join (what was
    written before the bot joined is history, not commands). Waits and retries while the
    homeserver is unreachable or rate-limits, so that the caller saves its sync token only once
    the gap is handled; raises ``GapUnavailable`` if the adapter closes meanwhile.
    """
    newest_first: list[object] = []
    token: str | None = prev_batch
    while token is not None:
        page = await _page(client, room_id, token, since, closing)
        if page is None:
            break  # the room cannot be read any more (the bot was removed meanwhile)
        for event in page.chunk:
            if _is_own_join(event, client.user_id):
                return newest_first[::-1]
            newest_first.append(event)
        if not page.chunk or not page.end or page.end == token:
            break
        token = page.end
    if newest_first:
        log.info("fetched %d events left out of a sync in %s", len(newest_first), room_id)
    return newest_first[::-1]


async def _page(
    client: Any, room_id: str, token: str, since: str, closing: Callable[[], bool]
) -> Any:
    """One page of the gap (None when the room cannot be read any more)."""
    backoff = Backoff()
    while not closing():
        try:
            answer = await client.room_messages(
                room_id, start=token, end=since, direction=MessageDirection.back, limit=GAP_PAGE
            )
        except (ClientConnectionError, TimeoutError) as error:
            delay = backoff.next()
            log.warning(
                "cannot fetch a sync gap yet (%s); retrying in %.0f s", type(error).__name__, delay
            )
            await asyncio.sleep(delay)
            continue
        if isinstance(answer, RoomMessagesResponse):
            return answer
        assert isinstance(answer, RoomMessagesError)
        if answer.status_code in GONE:
            log.warning("cannot read the gap in %s: %s", room_id, answer.status_code)
            return None
        asked = getattr(answer, "retry_after_ms", None)
        await asyncio.sleep(backoff.next(asked / 1000 if asked else None))
    raise GapUnavailable(room_id)


def _is_own_join(event: object, user_id: str) -> bool:
    return (
        isinstance(event, RoomMemberEvent)
        and event.state_key == user_id
        and event.membership == "join"
        and event.prev_membership != "join"
    )
