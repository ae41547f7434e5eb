"""A protocol-faithful Mattermost test server (aiohttp), for the endpoints the bot uses.

No Mattermost server can be installed on these machines, so this one plays it, strict where the
real one is strict:

- JSON answers with exactly ``Content-Type: application/json`` (the driver ignores a body with
  a charset suffix); login answers 200 with a ``Token`` header; errors are
  ``{id, message, detailed_error, request_id, status_code}``; ids are 26 characters of
  ``[a-z0-9]`` and a malformed id in a path is refused with 400;
- the websocket wants ``authentication_challenge`` first, answers ``{"status": "OK"}``, then
  ``hello`` with seq 0; events go only to the channel's members, the sender included
  (``posted`` carries the post as a JSON *string*, reactions likewise);
- every request and response is checked against the published API description
  (``mattermost_api``); differences are collected in ``violations`` and fail the test.

Tests drive it through the real mattermostdriver (the bot's adapter and the simulated people).
"""

import asyncio
import json
import secrets
import ssl
import string
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from mattermost_api import api_description

ID_ALPHABET = string.ascii_lowercase + string.digits
API = "/api/v4"
JSON_BODY = web.RequestKey("json_body", object)


def new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(26))


def is_id(value: str) -> bool:
    return len(value) == 26 and all(c in ID_ALPHABET for c in value)


def now_ms() -> int:
    return int(time.time() * 1000)


class ApiError(Exception):
    def __init__(self, status: int, error_id: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message


@dataclass
class Channel:
    id: str
    team_id: str
    type: str  # "O" open, "P" private, "D" direct
    name: str
    display_name: str
    members: dict[str, str] = field(default_factory=dict)  # user id → roles
    create_at: int = field(default_factory=now_ms)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "team_id": self.team_id,
            "type": self.type,
            "display_name": self.display_name,
            "name": self.name,
            "header": "",
            "purpose": "",
            "last_post_at": 0,
            "total_msg_count": 0,
            "creator_id": "",
        }


class MattermostServer:
    def __init__(self) -> None:
        self.api = api_description()
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # token → user id
        self.team_id = new_id()
        self.channels: dict[str, Channel] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.reactions: list[dict[str, Any]] = []
        self.pinned: set[str] = set()
        self.pending_post_ids: dict[str, str] = {}
        self.violations: list[str] = []
        self.requests: list[str] = []
        self.sockets: dict[web.WebSocketResponse, str] = {}
        self.refuse_websockets = False
        self._seq: dict[web.WebSocketResponse, int] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.tls_port = 0

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self, tls: ssl.SSLContext | None = None) -> "MattermostServer":
        app = web.Application(middlewares=[self._checked])
        app.router.add_get(f"{API}/websocket", self._websocket)
        app.router.add_route("*", f"{API}/{{tail:.*}}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if tls is not None:
            secure = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=tls)
            await secure.start()
            self.tls_port = secure._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.drop_websockets()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    async def drop_websockets(self) -> None:
        """Close every websocket from the server side (as a restart or a proxy would)."""
        for socket in list(self.sockets):
            await socket.close()

    # -- set-up helpers (what an administrator does in the real server's console) --------------
    def add_user(self, username: str, password: str, *, first_name: str = "") -> dict[str, Any]:
        user = {
            "id": new_id(),
            "create_at": now_ms(),
            "update_at": now_ms(),
            "delete_at": 0,
            "username": username,
            "first_name": first_name,
            "last_name": "",
            "nickname": "",
            "email": f"{username}@example.org",
            "auth_service": "",
            "roles": "system_user",
            "locale": "fr",
        }
        self.users[user["id"]] = user
        self.passwords[username] = password
        return user

    def add_channel(self, name: str, members: list[str], admins: tuple[str, ...] = ()) -> str:
        channel = Channel(new_id(), self.team_id, "O", name, name.title())
        for user in members:
            roles = "channel_user channel_admin" if user in admins else "channel_user"
            channel.members[user] = roles
        self.channels[channel.id] = channel
        return channel.id

    async def remove_member(self, channel_id: str, user_id: str, remover: str) -> None:
        channel = self.channels[channel_id]
        await self._broadcast(channel, "user_removed", {"user_id": user_id, "remover_id": remover})
        channel.members.pop(user_id, None)
        await self._send_to_user(
            user_id,
            "user_removed",
            {"channel_id": channel_id, "remover_id": remover},
            {"user_id": user_id},
        )

    def posts_by(self, user_id: str) -> list[dict[str, Any]]:
        return sorted(
            (p for p in self.posts.values() if p["user_id"] == user_id),
            key=lambda p: p["create_at"],
        )

    # -- HTTP plumbing -------------------------------------------------------------------------
    @web.middleware
    async def _checked(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == f"{API}/websocket":
            return await handler(request)
        operation = self.api.operation(request.method, request.path)
        self.requests.append(f"{request.method} {request.path}")
        body = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._error(400, "api.context.invalid_body_param.app_error", "bad JSON")
        if operation is None:
            self.violations.append(f"undocumented request {request.method} {request.path}")
        else:
            for problem in self.api.check_request(operation, body):
                self.violations.append(f"request {request.method} {request.path}: {problem}")
        request[JSON_BODY] = body
        response = await handler(request)
        if operation is not None and isinstance(response, web.Response) and response.body:
            answer = json.loads(response.body)  # type: ignore[arg-type]
            for problem in self.api.check_response(operation, response.status, answer):
                self.violations.append(f"response {request.method} {request.path}: {problem}")
        return response

    def _json(
        self, value: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        return web.Response(
            body=json.dumps(value).encode(),
            status=status,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def _error(self, status: int, error_id: str, message: str) -> web.Response:
        return self._json(
            {
                "id": error_id,
                "message": message,
                "detailed_error": "",
                "request_id": new_id(),
                "status_code": status,
            },
            status,
        )

    def _user_of(self, request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        user = self.tokens.get(token)
        if user is None:
            raise ApiError(
                401, "api.context.session_expired.app_error", "Invalid or expired session"
            )
        return user

    def _id(self, value: str, name: str) -> str:
        if not is_id(value):
            raise ApiError(400, "api.context.invalid_url_param.app_error", f"Invalid {name}")
        return value

    def _member_channel(self, channel_id: str, user: str) -> Channel:
        channel = self.channels.get(self._id(channel_id, "channel_id"))
        if channel is None or user not in channel.members:
            raise ApiError(
                403, "api.context.permissions.app_error", "You do not have the permission"
            )
        return channel

    async def _dispatch(self, request: web.Request) -> web.Response:
        parts = request.match_info["tail"].strip("/").split("/")
        method = request.method
        try:
            if parts == ["users", "login"] and method == "POST":
                return self._login(request[JSON_BODY] or {})
            user = self._user_of(request)
            body = request[JSON_BODY]
            match method, parts:
                case "GET", ["users", who]:
                    target = user if who == "me" else self._id(who, "user_id")
                    if target not in self.users:
                        raise ApiError(404, "app.user.missing_account.const", "User not found")
                    return self._json(self.users[target])
                case "POST", ["posts"]:
                    return await self._create_post(user, body)
                case "GET", ["posts", post_id]:
                    return self._json(self._post_for(user, post_id))
                case "PUT", ["posts", post_id, "patch"]:
                    return await self._patch_post(user, self._id(post_id, "post_id"), body)
                case "GET", ["channels", channel_id, "posts"]:
                    return self._posts_since(user, channel_id, request.query.get("since"))
                case "GET", ["channels", channel_id]:
                    return self._json(self._member_channel(channel_id, user).as_json())
                case "GET", ["channels", channel_id, "members", member]:
                    return self._member(user, channel_id, member)
                case "POST", ["channels", "direct"]:
                    return self._direct(user, body)
                case "POST", ["posts", post_id, "pin"]:
                    post = self._post_for(user, post_id)  # any member may pin
                    self.pinned.add(post["id"])
                    return self._json({"status": "OK"})
                case "POST", ["reactions"]:
                    return await self._react(user, body)
                case "DELETE", ["users", who, "posts", post_id, "reactions", emoji]:
                    return await self._unreact(user, who, post_id, emoji)
            raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        except ApiError as error:
            return self._error(error.status, error.error_id, error.message)

    # -- endpoints -----------------------------------------------------------------------------
    def _login(self, body: dict[str, Any]) -> web.Response:
        login = body.get("login_id", "")
        if self.passwords.get(login) != body.get("password"):
            raise ApiError(401, "api.user.login.invalid_credentials_email_username", "bad login")
        user = next(u for u in self.users.values() if u["username"] == login)
        token = secrets.token_hex(13)
        self.tokens[token] = user["id"]
        return self._json(user, 200, {"Token": token})

    def login_token(self, username: str) -> str:
        """A personal access token, as a bot account has."""
        user = next(u for u in self.users.values() if u["username"] == username)
        token = secrets.token_hex(13)
        self.tokens[token] = user["id"]
        return token

    async def _create_post(self, user: str, body: dict[str, Any]) -> web.Response:
        channel = self._member_channel(str(body.get("channel_id", "")), user)
        pending = body.get("pending_post_id")
        if pending and pending in self.pending_post_ids:  # the real server's de-duplication
            return self._json(self.posts[self.pending_post_ids[pending]], 201)
        stamp = max([now_ms(), *[p["create_at"] + 1 for p in self.posts.values()]])
        post = {
            "id": new_id(),
            "create_at": stamp,
            "update_at": stamp,
            "edit_at": 0,
            "delete_at": 0,
            "user_id": user,
            "channel_id": channel.id,
            "root_id": str(body.get("root_id", "")),
            "original_id": "",
            "message": str(body["message"]),
            "type": "",
            "props": dict(body.get("props") or {}),
            "hashtag": "",
            "file_ids": [],
            "pending_post_id": str(pending or ""),
            "metadata": {},
        }
        self.posts[post["id"]] = post
        if pending:
            self.pending_post_ids[pending] = post["id"]
        sender = self.users[user]
        await self._broadcast(
            channel,
            "posted",
            {
                "channel_display_name": channel.display_name,
                "channel_name": channel.name,
                "channel_type": channel.type,
                "post": json.dumps(post),
                "sender_name": "@" + sender["username"],
                "set_online": True,
                "team_id": channel.team_id,
            },
        )
        return self._json(post, 201)

    async def _patch_post(self, user: str, post_id: str, body: dict[str, Any]) -> web.Response:
        post = self._post_for(user, post_id)
        if post["user_id"] != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not your post")
        post["message"] = str(body.get("message", post["message"]))
        post["edit_at"] = post["update_at"] = now_ms()
        channel = self.channels[post["channel_id"]]
        await self._broadcast(channel, "post_edited", {"post": json.dumps(post)})
        return self._json(post)

    def _post_for(self, user: str, post_id: str) -> dict[str, Any]:
        post = self.posts.get(self._id(post_id, "post_id"))
        if post is None:
            raise ApiError(404, "app.post.get.app_error", "Post not found")
        self._member_channel(post["channel_id"], user)
        return post

    def _posts_since(self, user: str, channel_id: str, since: str | None) -> web.Response:
        channel = self._member_channel(channel_id, user)
        floor = int(since or 0)
        chosen = [
            p
            for p in self.posts.values()
            if p["channel_id"] == channel.id and p["update_at"] > floor
        ]
        chosen.sort(key=lambda p: p["create_at"], reverse=True)
        return self._json(
            {
                "order": [p["id"] for p in chosen],
                "posts": {p["id"]: p for p in chosen},
                "next_post_id": "",
                "prev_post_id": "",
            }
        )

    def _member(self, user: str, channel_id: str, member: str) -> web.Response:
        channel = self._member_channel(channel_id, user)
        target = user if member == "me" else self._id(member, "user_id")
        if target not in channel.members:
            raise ApiError(404, "app.channel.get_member.missing.app_error", "Not a member")
        return self._json(
            {
                "channel_id": channel.id,
                "user_id": target,
                "roles": channel.members[target],
                "last_viewed_at": 0,
                "msg_count": 0,
                "mention_count": 0,
                "notify_props": {},
                "last_update_at": 0,
            }
        )

    def _direct(self, user: str, body: list[str]) -> web.Response:
        pair = sorted(self._id(str(u), "user_id") for u in body)
        if user not in pair or any(u not in self.users for u in pair):
            raise ApiError(400, "api.channel.create_direct_channel.invalid_user.app_error", "bad")
        name = "__".join(pair)
        existing = next((c for c in self.channels.values() if c.name == name), None)
        if existing is None:
            existing = Channel(new_id(), "", "D", name, "")
            existing.members = {u: "channel_user" for u in pair}
            self.channels[existing.id] = existing
        return self._json(existing.as_json(), 201)

    async def _react(self, user: str, body: dict[str, Any]) -> web.Response:
        if body.get("user_id") != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not yourself")
        post = self._post_for(user, str(body.get("post_id", "")))
        emoji = str(body.get("emoji_name", ""))
        reaction = {
            "user_id": user,
            "post_id": post["id"],
            "emoji_name": emoji,
            "create_at": now_ms(),
            "update_at": now_ms(),
            "delete_at": 0,
            "remote_id": "",
            "channel_id": post["channel_id"],
        }
        if not any(
            r["user_id"] == user and r["post_id"] == post["id"] and r["emoji_name"] == emoji
            for r in self.reactions
        ):
            self.reactions.append(reaction)
            channel = self.channels[post["channel_id"]]
            await self._broadcast(channel, "reaction_added", {"reaction": json.dumps(reaction)})
        return self._json(
            {k: reaction[k] for k in ("user_id", "post_id", "emoji_name", "create_at")}
        )

    async def _unreact(self, user: str, who: str, post_id: str, emoji: str) -> web.Response:
        if self._id(who, "user_id") != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not yourself")
        post = self._post_for(user, post_id)
        kept = []
        for reaction in self.reactions:
            if (reaction["user_id"], reaction["post_id"], reaction["emoji_name"]) == (
                user,
                post["id"],
                emoji,
            ):
                channel = self.channels[post["channel_id"]]
                await self._broadcast(
                    channel, "reaction_removed", {"reaction": json.dumps(reaction)}
                )
            else:
                kept.append(reaction)
        self.reactions = kept
        return self._json({"status": "OK"})

    # -- websocket -----------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_websockets:
            return self._error(503, "api.websocket.unavailable", "Unavailable")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        user: str | None = None
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data.get("action") == "authentication_challenge" and user is None:
                user = self.tokens.get(str(data.get("data", {}).get("token", "")))
                if user is None:
                    await socket.send_str(
                        json.dumps({"status": "FAIL", "seq_reply": data.get("seq"), "error": {}})
                    )
                    await socket.close()
                    break
                await socket.send_str(json.dumps({"status": "OK", "seq_reply": data.get("seq")}))
                self._seq[socket] = 0
                await self._send(socket, "hello", {"server_version": "9.11.0"}, {"user_id": user})
                self.sockets[socket] = user
        self.sockets.pop(socket, None)
        self._seq.pop(socket, None)
        return socket

    async def _send(
        self,
        socket: web.WebSocketResponse,
        event: str,
        data: dict[str, Any],
        broadcast: dict[str, Any],
    ) -> None:
        seq = self._seq.get(socket, 0)
        self._seq[socket] = seq + 1
        envelope = {
            "event": event,
            "data": data,
            "broadcast": {
                "omit_users": None,
                "user_id": "",
                "channel_id": "",
                "team_id": "",
                **broadcast,
            },
            "seq": seq,
        }
        try:
            await socket.send_str(json.dumps(envelope))
        except (ConnectionError, RuntimeError):
            self.sockets.pop(socket, None)

    async def _broadcast(self, channel: Channel, event: str, data: dict[str, Any]) -> None:
        for socket, user in list(self.sockets.items()):
            if user in channel.members:
                await self._send(socket, event, data, {"channel_id": channel.id})
        await asyncio.sleep(0)

    async def _send_to_user(
        self, user: str, event: str, data: dict[str, Any], broadcast: dict[str, Any]
    ) -> None:
        for socket, owner in list(self.sockets.items()):
            if owner == user:
                await self._send(socket, event, data, broadcast)
