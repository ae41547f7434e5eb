"""Files → Mattermost: an exported record uploaded, then posted with its ``file_ids``.

API reference (``/work/shared/mattermost-api/openapi-v4.yaml``): ``POST /api/v4/files``, a
multipart form with ``channel_id`` and ``files``, answers ``201`` with ``file_infos``; then
``POST /api/v4/posts`` with ``file_ids`` attaches them (the caption is the post's message).
The size limit is the server's ``FileSettings.MaxFileSize`` (``GET /api/v4/config/client``,
``MaxFileSize``; 100 MB by default, ``model/config.go``), asked once; a larger file, or a 413,
is refused for good (the outbox does not retry it). The post's ``pending_post_id`` is the
outbox key, so a post resent after a crash is made once (the file may be uploaded twice: an
unattached copy the server cleans up, never a second post).
"""

import logging
from typing import Any

import requests

from adapters.mattermost_directory import PREFIX, Directory, Rest
from adapters.mattermost_markdown import to_mattermost
from bot.effects import PostFile
from bot.ports import DeliveryError

__all__ = ["DEFAULT_MAX_FILE_SIZE", "Files"]

log = logging.getLogger("atelier.mattermost")

#: ``FileSettings.MaxFileSize`` when the server does not say (the server's default)
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024


class Files:
    def __init__(self, driver: Any, rest: Rest, directory: Directory) -> None:
        self.driver = driver
        self.rest = rest
        self.directory = directory
        self._limit: int | None = None

    async def post(self, effect: PostFile, key: str | None) -> str:
        if effect.user is None:
            channel = effect.room.removeprefix(PREFIX)
        else:
            channel = await self.directory.direct_channel(effect.user)
        data = effect.text.encode()
        limit = await self._max_file_size()
        if len(data) > limit:
            raise DeliveryError(
                f"{effect.filename}: {len(data)} bytes, over the server's {limit}", permanent=True
            )
        uploaded = await self.rest(
            self.driver.files.upload_file,
            channel,
            {"files": (effect.filename, data, effect.mime)},
        )
        file_ids = [str(info["id"]) for info in uploaded.get("file_infos", [])]
        options: dict[str, Any] = {
            "channel_id": channel,
            "message": to_mattermost(effect.caption),
            "file_ids": file_ids,
        }
        if key:
            options["pending_post_id"] = f"{self.directory.user_id}:{key}"
        if effect.thread and effect.user is None:
            options["root_id"] = effect.thread  # a reply in that thread (openapi: Post.root_id)
        post = await self.rest(self.driver.posts.create_post, options)
        return str(post["id"])

    async def _max_file_size(self) -> int:
        """The server's limit in bytes, asked once (its default when it does not say)."""
        if self._limit is None:
            limit = DEFAULT_MAX_FILE_SIZE
            try:
                config = await self.rest(
                    self.driver.system.get_client_configuration, {"format": "old"}
                )
                limit = int(config.get("MaxFileSize") or limit)
            except (requests.RequestException, ValueError, AttributeError) as error:
                log.info("no MaxFileSize from the server (%s): its default", type(error).__name__)
            self._limit = limit
        return self._limit
