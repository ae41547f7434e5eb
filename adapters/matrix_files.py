"""Files → Matrix: an exported record uploaded to the media repository, then an ``m.file``.

Spec (client-server API, "Content repository" and ``m.file``): ``POST /_matrix/media/v3/upload``
returns an ``mxc://`` URI, and the message carries it in ``url`` with ``info.mimetype`` and
``info.size``; ``filename`` names the file and ``body`` is its caption (spec v1.10, "Media
captions"); in the atelier's thread, it carries the thread relation as the notices do. In
an encrypted room the file is encrypted before upload and the event carries ``file`` (the
URI with its keys) instead of ``url`` ("Sending encrypted attachments").

Size: the homeserver's ``m.upload.size`` (asked once); a larger file, or a 413 ``M_TOO_LARGE``,
is refused for good (``DeliveryError(permanent=True)``: the outbox does not retry it). The
message's transaction id is the outbox id: resent after a crash it is posted once (the file may
then be uploaded twice, an unseen copy in the media repository, never a second message).
"""

import io
import logging
from collections.abc import Awaitable, Callable

from aiohttp import ClientConnectionError
from nio import AsyncClient, ContentRepositoryConfigResponse, UploadResponse

from adapters.matrix_rooms import Rooms
from adapters.matrix_session import Session, refusal
from bot.effects import PostFile
from bot.ports import DeliveryError

__all__ = ["Files"]

log = logging.getLogger("atelier.matrix")

Send = Callable[[str, str, dict[str, object], str | None], Awaitable[str | None]]
#: the caption's content (``body``, ``formatted_body``, the thread relation when in one)
Caption = Callable[[str, str | None], dict[str, object]]


class Files:
    def __init__(self, session: Session, rooms: Rooms, send: Send, caption: Caption) -> None:
        self.session = session
        self.rooms = rooms
        self._send = send
        self._caption = caption
        self._limit: int | None = None
        self._limit_known = False

    async def post(self, effect: PostFile, txn: str | None) -> str | None:
        client = self.session.require()
        room: str = effect.room
        if effect.user is not None:
            room = await self.rooms.direct_room(effect.user)
            await self.rooms.ready_for(room, effect.user)
        data = effect.text.encode()
        limit = await self._upload_limit(client)
        if limit is not None and len(data) > limit:
            raise DeliveryError(
                f"{effect.filename}: {len(data)} bytes, over the homeserver's {limit}",
                permanent=True,
            )
        known = client.rooms.get(room)
        encrypted = bool(known is not None and known.encrypted)
        try:
            answer, keys = await client.upload(
                io.BytesIO(data),
                content_type=effect.mime,
                filename=effect.filename,
                encrypt=encrypted,
                filesize=len(data),
            )
        except (ClientConnectionError, TimeoutError) as error:
            raise DeliveryError(f"homeserver unreachable: {error}") from error
        if not isinstance(answer, UploadResponse):
            raise refusal(answer, f"uploading {effect.filename}")
        thread = effect.thread if effect.user is None else None
        content = self._caption(effect.caption or effect.filename, thread)  # body, HTML, thread
        content.update(
            {
                "msgtype": "m.file",
                "filename": effect.filename,
                "info": {"mimetype": effect.mime, "size": len(data)},
            }
        )
        if encrypted and keys:
            content["file"] = {**keys, "url": answer.content_uri}
        else:
            content["url"] = answer.content_uri
        await self._send(room, "m.room.message", content, txn)
        return None

    async def _upload_limit(self, client: AsyncClient) -> int | None:
        """The homeserver's upload limit in bytes, asked once (None: it did not say)."""
        if not self._limit_known:
            try:
                answer = await client.content_repository_config()
            except (ClientConnectionError, TimeoutError) as error:
                raise DeliveryError(f"homeserver unreachable: {error}") from error
            if isinstance(answer, ContentRepositoryConfigResponse):
                self._limit = answer.upload_size
            else:
                log.info("no upload limit from the homeserver; its answer to an upload decides")
            self._limit_known = True
        return self._limit
