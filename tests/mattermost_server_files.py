"""The Mattermost test server's files: upload, file info and download, the client config's
``MaxFileSize``, and posts carrying ``file_ids`` (an extension of ``tests/mattermost_server.py``,
installed with ``serve_files(server)`` before ``start()``).

As the real server does (``/work/shared/mattermost-api/openapi-v4.yaml``, ``/api/v4/files``;
server ``api4/file.go`` ``uploadFileStream`` / ``uploadFileMultipart``, ``app/file.go``):

- ``POST /api/v4/files``: a multipart form whose ``channel_id`` comes before its ``files``
  (the multipart path reads the form as a stream); the caller must be a member of the channel
  (403); a request larger than ``FileSettings.MaxFileSize`` (100 MB by default) is refused
  with 413 ``api.file.upload_file.too_large_detailed.app_error``; answers 201 with
  ``file_infos`` (the ``FileInfo`` shape: ``id``, ``user_id``, ``post_id`` empty until a post
  takes it, ``create_at``…, ``name``, ``extension``, ``size``, ``mime_type``) and
  ``client_ids``.
- ``POST /api/v4/posts`` with ``file_ids``: the files, uploaded by the poster to that channel
  and not attached yet, are attached (``post_id`` set); the post answered holds ``file_ids``
  and ``metadata.files`` (``app/post.go`` ``attachFilesToPost``, ``PreparePostForClient``).
  Limitation: the ``posted`` websocket event is built by the core server before the files are
  attached, so it does not carry them.
- ``GET /api/v4/files/{id}/info`` and ``GET /api/v4/files/{id}`` (the file itself, taken
  before the core's JSON middleware too) for the members of the file's
  channel; ``GET /api/v4/config/client?format=old`` gives ``MaxFileSize`` (a string, as the
  real server's old-format config does).

The core server's middleware reads every body as JSON; a multipart upload is taken here before
it (the same authentication, request log and response check against the API description).
"""

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from mattermost_server import API, JSON_BODY, ApiError, MattermostServer, new_id, now_ms

__all__ = ["DEFAULT_MAX_FILE_SIZE", "Files", "serve_files"]

#: ``FileSettings.MaxFileSize`` by default (model/config.go: 100 MB)
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024


@dataclass
class Files:
    """What the server holds of uploaded files."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    infos: dict[str, dict[str, Any]] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)
    channel_of: dict[str, str] = field(default_factory=dict)
    uploads: int = 0


def serve_files(server: MattermostServer) -> Files:
    """Give ``server`` the files API (call before ``start()``)."""
    files = Files()
    core = server._checked

    @web.middleware
    async def checked(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "POST" and request.path == f"{API}/files":
            return await _upload(server, files, request)
        if request.method == "GET" and _download(request.path):
            return _file(server, files, request, _download(request.path))
        response = await core(request, handler)
        if request.method == "POST" and request.path == f"{API}/posts":
            return _attach(server, files, request, response)
        return response

    server._checked = checked  # type: ignore[method-assign]

    async def extension(
        server: MattermostServer, request: web.Request, user: str, parts: list[str]
    ) -> web.Response | None:
        match request.method, parts:
            case "GET", ["config", "client"]:
                if request.query.get("format") != "old":
                    raise ApiError(501, "api.config.client.old_format.app_error", "old only")
                return server._json({"MaxFileSize": str(files.max_file_size), "Version": "9.11"})
            case "GET", ["files", file_id, "info"]:
                return server._json(_readable(server, files, user, file_id))
        return None

    server.extensions.append(extension)
    return files


async def _upload(server: MattermostServer, files: Files, request: web.Request) -> web.Response:
    server.requests.append(f"{request.method} {request.path}")
    try:
        user = server._user_of(request)
        if (request.content_length or 0) > files.max_file_size:
            raise ApiError(
                413,
                "api.file.upload_file.too_large_detailed.app_error",
                "Unable to upload file. File is too large.",
            )
        if not request.content_type.startswith("multipart/form-data"):
            raise ApiError(400, "api.file.upload_file.bad_parse.app_error", "Not multipart")
        reader = await request.multipart()
        channel_id = ""
        infos: list[dict[str, Any]] = []
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None)
            if name == "channel_id":
                channel_id = (await part.text()).strip()  # type: ignore[union-attr]
            elif name == "files":
                if not channel_id:  # the stream is read in order: channel_id first
                    raise ApiError(
                        400, "api.file.upload_file.multipart.app_error", "channel_id first"
                    )
                channel = server._member_channel(channel_id, user)
                data = bytes(await part.read())  # type: ignore[union-attr]
                if len(data) > files.max_file_size:
                    raise ApiError(
                        413,
                        "api.file.upload_file.too_large_detailed.app_error",
                        "Unable to upload file. File is too large.",
                    )
                filename = getattr(part, "filename", None) or "file"
                mime = part.headers.get("Content-Type", "application/octet-stream")
                infos.append(_keep(files, user, channel.id, filename, mime, data))
        if not infos:
            raise ApiError(400, "api.file.upload_file.no_files.app_error", "No file")
    except ApiError as error:
        return _checked_answer(server, request, error.status, _error_body(error))
    return _checked_answer(server, request, 201, {"file_infos": infos, "client_ids": []})


def _download(path: str) -> str:
    """The file id of ``GET /api/v4/files/{id}`` (its answer is the file, not JSON)."""
    parts = path.removeprefix(f"{API}/").split("/")
    return parts[1] if len(parts) == 2 and parts[0] == "files" else ""


def _file(
    server: MattermostServer, files: Files, request: web.Request, file_id: str
) -> web.Response:
    server.requests.append(f"{request.method} {request.path}")
    try:
        info = _readable(server, files, server._user_of(request), file_id)
    except ApiError as error:
        return _checked_answer(server, request, error.status, _error_body(error))
    return web.Response(body=files.data[file_id], headers={"Content-Type": str(info["mime_type"])})


def _keep(
    files: Files, user: str, channel: str, filename: str, mime: str, data: bytes
) -> dict[str, Any]:
    stamp = now_ms()
    info = {
        "id": new_id(),
        "user_id": user,
        "post_id": "",
        "create_at": stamp,
        "update_at": stamp,
        "delete_at": 0,
        "name": filename,
        "extension": filename.rsplit(".", 1)[1] if "." in filename else "",
        "size": len(data),
        "mime_type": mime,
        "width": 0,
        "height": 0,
        "has_preview_image": False,
    }
    files.infos[info["id"]] = info
    files.data[info["id"]] = data
    files.channel_of[info["id"]] = channel
    files.uploads += 1
    return info


def _attach(
    server: MattermostServer, files: Files, request: web.Request, response: web.StreamResponse
) -> web.StreamResponse:
    """A post made with ``file_ids``: its files attached, shown in ``metadata.files``."""
    body = request.get(JSON_BODY) or {}
    wanted = [str(i) for i in body.get("file_ids") or []] if isinstance(body, dict) else []
    if not wanted or not isinstance(response, web.Response) or response.status != 201:
        return response
    answered = json.loads(response.body)  # type: ignore[arg-type]
    post = server.posts[answered["id"]]
    attached = []
    for file_id in wanted:
        info = files.infos.get(file_id)
        if (
            info is None
            or info["user_id"] != post["user_id"]
            or files.channel_of[file_id] != post["channel_id"]
            or info["post_id"]
        ):
            continue  # app/post.go attachFilesToPost skips what the poster may not attach
        info["post_id"] = post["id"]
        attached.append(info)
    post["file_ids"] = [info["id"] for info in attached]
    post["metadata"] = {**post.get("metadata", {}), "files": attached}
    answered["file_ids"] = post["file_ids"]
    answered["metadata"] = {**answered.get("metadata", {}), "files": attached}
    return _checked_answer(server, request, 201, answered)


def _readable(server: MattermostServer, files: Files, user: str, file_id: str) -> dict[str, Any]:
    info = files.infos.get(server._id(file_id, "file_id"))
    if info is None:
        raise ApiError(404, "app.file_info.get.app_error", "File not found")
    server._member_channel(files.channel_of[file_id], user)
    return info


def _error_body(error: ApiError) -> dict[str, Any]:
    return {
        "id": error.error_id,
        "message": error.message,
        "detailed_error": "",
        "request_id": new_id(),
        "status_code": error.status,
    }


def _checked_answer(
    server: MattermostServer, request: web.Request, status: int, answer: dict[str, Any]
) -> web.Response:
    """The answer, checked against the API description like every other."""
    operation = server.api.operation(request.method, request.path)
    if operation is None:
        server.violations.append(f"undocumented request {request.method} {request.path}")
    else:
        for problem in server.api.check_response(operation, status, answer):
            server.violations.append(f"response {request.method} {request.path}: {problem}")
    return server._json(answer, status)
