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
  (``mattermost_api``); differences are collected in ``violations`` and fail the test;
- what a client needs to catch up after its websocket was down behaves as on the real server
  (each point cites the server's source, mattermost/mattermost, ``server/channels/…``):
  ``update_at`` is bumped by edits, deletions and reactions, deletions are soft (``delete_at``),
  an edit keeps the old text as a deleted copy, ``GET /channels/{id}/posts?since=`` answers
  every post *changed* since, at most 1,000 of them and not necessarily the oldest, ``before``
  / ``after`` / ``page`` page through live posts at most 200 at a time, and a websocket opened
  after an outage does not replay the events it missed;
- leaving a channel or being removed from it (``DELETE /channels/{id}/members/{user_id}``)
  takes the membership away *before* ``user_removed`` is sent: the channel's remaining members
  get ``{user_id, remover_id}``, the person removed gets a separate ``{channel_id,
  remover_id}``, and a system post (which clients skip by its ``type``) says so;
- refusals as the real server answers them: a message over 16,383 characters is 400, a post
  where the user may not post (not a member, a moderated channel) 403, deleting someone
  else's post without ``delete_others_posts`` 403; a rate limit (``rate_limits``, off unless a
  test sets one) answers 429 "limit exceeded" with ``X-RateLimit-*`` and ``Retry-After``;
- a deletion writes ``props.deleteBy`` and sends ``post_deleted`` with ``delete_by`` to
  system admins only (everybody else gets the sanitized event).
- pinning goes through the edit path (``post_edited``, ``is_pinned``, message and ``edit_at``
  unchanged); a request body over 300,000 bytes (+ 512) is 413; a ``pending_post_id`` is
  remembered 30 seconds by the server's ``clock`` (a test may move it on), then forgotten;
  private (``P``) and group (``G``) channels; bot accounts' posts carry ``props.from_bot``,
  webhooks' ``props.from_webhook``; ``revoke_sessions`` ends a user's sessions (401, and the
  websocket closed at its challenge, unanswered).

Tests drive it through the real mattermostdriver (the bot's adapter and the simulated people).
"""

import asyncio
import hashlib
import json
import math
import random
import secrets
import ssl
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from mattermost_api import api_description

ID_ALPHABET = string.ascii_lowercase + string.digits
API = "/api/v4"
JSON_BODY = web.RequestKey("json_body", object)
#: ``GET /channels/{id}/posts?since=`` answers at most this many posts (store/sqlstore/
#: post_store.go ``GetPostsSince``: ``WITH cte AS (SELECT * FROM Posts WHERE UpdateAt > ? AND
#: ChannelId = ? LIMIT 1000)``; the API reference: "limited till 1000")
SINCE_LIMIT = 1000
#: ``per_page`` defaults to 60 and is cut to 200 (web/params.go ``PerPageDefault``,
#: ``PerPageMaximum``, ``getPerPageFromQuery``)
PER_PAGE_DEFAULT = 60
PER_PAGE_MAXIMUM = 200
#: the longest message a post may have, in characters (model/post.go ``PostMessageMaxRunesV2``
#: = 65535 / 4, the server's ``maxPostSize``; longer: ``IsValid`` answers 400
#: ``model.post.is_valid.message_length.app_error``)
MAX_POST_RUNES = 16383
#: how long a ``pending_post_id`` is remembered: app/post.go ``pendingPostIDsCacheTTL = 30 *
#: time.Second`` (``deduplicateCreatePost``; app/post_test.go "duplicate create post after cache
#: expires is not idempotent")
PENDING_POST_TTL = 30.0
#: the largest request body: web/handlers.go ``ServeHTTP`` wraps it in ``http.MaxBytesReader``
#: at ``ServiceSettings.MaximumPayloadSizeBytes`` (300000 by default: model/config.go) plus
#: ``bytes.MinRead`` (512); reading past it is answered 413
#: ``api.context.request_body_too_large.app_error`` (``handleContextError``)
MAX_REQUEST_BYTES = 300_000 + 512
#: a group message has 3 to 8 members (model/channel.go ``ChannelGroupMinUsers``,
#: ``ChannelGroupMaxUsers``; app/channel.go ``CreateGroupChannel``: 400 otherwise)
GROUP_MIN, GROUP_MAX = 3, 8


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
class RateLimit:
    """app/ratelimit.go (``RateLimitSettings``: ``PerSec``, ``MaxBurst``): a bucket of
    ``burst + 1`` requests refilled at ``per_second``, kept per user here (``VaryByUser``:
    the tests' clients all come from 127.0.0.1). Every answer carries ``X-RateLimit-Limit``,
    ``-Remaining`` and ``-Reset`` (seconds until the bucket is full, rounded up:
    ``setRateLimitHeaders``); a refused request gets ``Retry-After`` too and 429 with the plain
    text "limit exceeded" (``http.Error``), before any handler runs."""

    per_second: float
    burst: int
    tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (left, at)
    refused: int = 0

    def take(self, key: str) -> tuple[bool, dict[str, str]]:
        capacity = self.burst + 1
        now = time.monotonic()
        left, at = self.tokens.get(key, (float(capacity), now))
        left = min(capacity, left + (now - at) * self.per_second)
        allowed = left >= 1
        if allowed:
            left -= 1
        self.tokens[key] = (left, now)
        headers = {
            "X-Ratelimit-Limit": str(capacity),
            "X-Ratelimit-Remaining": str(int(left)),
            "X-Ratelimit-Reset": str(math.ceil((capacity - left) / self.per_second)),
        }
        if not allowed:
            self.refused += 1
            headers["Retry-After"] = str(math.ceil((1 - left) / self.per_second))
        return allowed, headers


@dataclass
class Channel:
    id: str
    team_id: str
    type: str  # "O" open, "P" private, "D" direct, "G" group message
    name: str
    display_name: str
    members: dict[str, str] = field(default_factory=dict)  # user id → roles
    create_at: int = field(default_factory=now_ms)
    #: channel moderation (``PUT /channels/{id}/moderations/patch``, app/channel.go
    #: ``PatchChannelModerationsForChannel``) can take ``create_post`` from the channel's
    #: members: then only channel and system admins may post there
    members_may_post: bool = True

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


#: an extra route handler: (server, request, caller's user id, path parts) → a response, or None
Extension = Callable[
    ["MattermostServer", web.Request, str, list[str]], Awaitable[web.Response | None]
]


class MattermostServer:
    def __init__(self) -> None:
        self.api = api_description()
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # token → user id
        self.team_id = new_id()
        self.team_admins: set[str] = set()
        self.channels: dict[str, Channel] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        #: (user, post, emoji) → the reaction row; a removed one stays, with ``delete_at`` set
        self.reactions: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.pinned: set[str] = set()
        #: ``pending_post_id`` → (the post's id, when it is forgotten by ``clock``)
        self.pending_post_ids: dict[str, tuple[str, float]] = {}
        #: the server's clock for what expires (pending post ids): a test may move it on
        self.clock: Callable[[], float] = time.monotonic
        self.violations: list[str] = []
        self.requests: list[str] = []
        self.sockets: dict[web.WebSocketResponse, str] = {}
        self.refuse_websockets = False
        #: user id → the rate limit their requests meet (none unless a test sets one)
        self.rate_limits: dict[str, RateLimit] = {}
        #: user id → how many of their next requests a reverse proxy in front of the server
        #: answers 502 (the server restarting behind it: nginx's "Bad Gateway", plain text)
        self.bad_gateway: dict[str, int] = {}
        #: user id → how many of their next posts the server makes but the proxy answers 504
        #: (the server too slow for the proxy's timeout: the post exists, the client never
        #: hears of it), the server's clock then ``late`` seconds on (the answer came late)
        self.gateway_timeouts: dict[str, int] = {}
        self.late = 0.0
        #: more routes, each in its own module (integrations, files…): tried in order before
        #: the 404; an extension returns None for a request that is not its own
        self.extensions: list[Extension] = []
        self._seq: dict[web.WebSocketResponse, int] = {}
        self._socket_tokens: dict[web.WebSocketResponse, str] = {}  # the session it opened with
        self._last_stamp = 0
        self._sample = random.Random(1000)  # which posts a capped ``since`` answer holds
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.tls_port = 0

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self, tls: ssl.SSLContext | None = None) -> "MattermostServer":
        # (aiohttp refuses bodies over 1 MiB on its own: let the server's own limit answer)
        app = web.Application(middlewares=[self._checked], client_max_size=16 * MAX_REQUEST_BYTES)
        app.router.add_get(f"{API}/websocket", self._websocket)
        app.router.add_route("*", f"{API}/{{tail:.*}}", self._dispatch)
        # outside the API, what extensions serve: ``/hooks/…`` (a slash command's response_url)
        app.router.add_route("*", "/hooks/{tail:.*}", self._hooks)
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
    def add_user(
        self, username: str, password: str, *, first_name: str = "", bot: bool = False
    ) -> dict[str, Any]:
        """An account; ``bot``: a bot account (``is_bot``, model/user.go; the server marks its
        posts ``props.from_bot``)."""
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
            "is_bot": bot,
        }
        self.users[user["id"]] = user
        self.passwords[username] = password
        return user

    def make_system_admin(self, user_id: str) -> None:
        """The user gets the ``system_admin`` role (``GET /users/{id}`` answers it)."""
        self.users[user_id]["roles"] = "system_user system_admin"

    def make_team_admin(self, user_id: str) -> None:
        """The user gets ``team_admin`` on the team (``GET /teams/{id}/members/{user_id}``
        answers it); the default roles give it ``delete_others_posts`` and
        ``edit_others_posts`` (model/role.go), which channel admins do not have."""
        self.team_admins.add(user_id)

    def may_manage_others_posts(self, user_id: str) -> bool:
        return user_id in self.team_admins or self.is_system_admin(user_id)

    def is_system_admin(self, user_id: str) -> bool:
        return "system_admin" in str(self.users.get(user_id, {}).get("roles", "")).split()

    def add_channel(
        self, name: str, members: list[str], admins: tuple[str, ...] = (), *, private: bool = False
    ) -> str:
        """An open channel of the team, or a private one (type ``P``)."""
        channel = Channel(new_id(), self.team_id, "P" if private else "O", name, name.title())
        for user in members:
            roles = "channel_user channel_admin" if user in admins else "channel_user"
            channel.members[user] = roles
        self.channels[channel.id] = channel
        return channel.id

    async def remove_member(self, channel_id: str, user_id: str, remover: str) -> None:
        """``remover`` takes ``user_id`` out of the channel, as ``DELETE …/members/{user_id}``."""
        await self._remove_from_channel(self.channels[channel_id], user_id, remover)

    def add_member(self, channel_id: str, user_id: str) -> None:
        """``user_id`` is added to the channel (no event: the tests add the bot this way)."""
        self.channels[channel_id].members[user_id] = "channel_user"

    def revoke_sessions(self, user_id: str) -> None:
        """Every session and token of the user ends (``POST /users/{id}/sessions/revoke/all``,
        an expired session, a revoked access token): the next request answers 401
        ``api.context.session_expired.app_error`` (web/handlers.go ``ServeHTTP``), a websocket
        authentication challenge closed unanswered, and the websockets it had open stay open
        but receive nothing more (app/platform/web_conn.go ``ShouldSendEvent``)."""
        for token, owner in list(self.tokens.items()):
            if owner == user_id:
                del self.tokens[token]

    async def webhook_post(self, creator: str, channel_id: str, message: str) -> dict[str, Any]:
        """What an incoming webhook posts: app/webhook.go ``CreateWebhookPost`` posts as the
        hook's creator with ``props.from_webhook = "true"``."""
        channel = self.channels[channel_id]
        return await self._new_post(creator, channel, {"message": message, "props": {}}, "", True)

    def posts_by(self, user_id: str) -> list[dict[str, Any]]:
        """The user's posts as people see them (not deleted), oldest first."""
        return sorted(
            (p for p in self.posts.values() if p["user_id"] == user_id and not p["delete_at"]),
            key=lambda p: p["create_at"],
        )

    async def post_as(self, user_id: str, channel_id: str, message: str) -> dict[str, Any]:
        """What ``POST /posts`` does for ``user_id``, without HTTP (for thousands of posts)."""
        channel = self._member_channel(channel_id, user_id)
        return await self._new_post(user_id, channel, {"message": message})

    def _stamp(self) -> int:
        """Now in milliseconds, as the server stamps rows; never twice the same here."""
        self._last_stamp = max(now_ms(), self._last_stamp + 1)
        return self._last_stamp

    # -- HTTP plumbing -------------------------------------------------------------------------
    @web.middleware
    async def _checked(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == f"{API}/websocket":
            return await handler(request)
        caller = self.tokens.get(
            request.headers.get("Authorization", "").removeprefix("Bearer ").strip(), ""
        )
        if self.bad_gateway.get(caller, 0) > 0:
            self.bad_gateway[caller] -= 1
            return web.Response(text="502 Bad Gateway\n", status=502)
        limit = self._rate_limit_of(request)
        headers: dict[str, str] = {}
        if limit is not None:
            allowed, headers = limit[0].take(limit[1])
            if not allowed:
                return web.Response(
                    text="limit exceeded\n", status=429, headers=headers
                )  # (text/plain; charset=utf-8, as Go's ``http.Error``)
        operation = self.api.operation(request.method, request.path)
        self.requests.append(f"{request.method} {request.path}")
        body = None
        if request.can_read_body:
            raw = await request.read()
            if len(raw) > MAX_REQUEST_BYTES:
                return self._error(
                    413, "api.context.request_body_too_large.app_error", "Request body too large"
                )
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
        if (
            self.gateway_timeouts.get(caller, 0) > 0
            and request.method == "POST"
            and request.path == f"{API}/posts"
            and response.status == 201
        ):
            self.gateway_timeouts[caller] -= 1
            ahead, clock = self.late, self.clock
            self.clock = lambda: clock() + ahead
            return web.Response(text="504 Gateway Time-out\n", status=504)
        if operation is not None and isinstance(response, web.Response) and response.body:
            answer = json.loads(response.body)  # type: ignore[arg-type]
            for problem in self.api.check_response(operation, response.status, answer):
                self.violations.append(f"response {request.method} {request.path}: {problem}")
        response.headers.update(headers)
        return response

    def _rate_limit_of(self, request: web.Request) -> tuple[RateLimit, str] | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = self.tokens.get(token)
        if user is None or user not in self.rate_limits:
            return None
        return self.rate_limits[user], user

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
                case "GET", ["teams", team_id, "members", member]:
                    return self._team_member(self._id(team_id, "team_id"), member)
                case "GET", ["users", who, "teams"]:
                    self._self(user, who)
                    return self._json([self._team()])
                case "GET", ["users", who, "teams", team_id, "channels"]:
                    return self._channels_of(self._self(user, who), self._id(team_id, "team_id"))
                case "POST", ["posts"]:
                    return await self._create_post(user, body)
                case "GET", ["posts", post_id]:
                    return self._json(self._client_post(self._post_for(user, post_id)))
                case "DELETE", ["posts", post_id]:
                    return await self._delete_post(user, post_id)
                case "PUT", ["posts", post_id, "patch"]:
                    return await self._patch_post(user, self._id(post_id, "post_id"), body)
                case "GET", ["posts", post_id, "reactions"]:
                    return self._json(self._live_reactions(self._post_for(user, post_id)["id"]))
                case "GET", ["channels", channel_id, "posts"]:
                    return self._channel_posts(user, channel_id, request.query)
                case "GET", ["channels", channel_id]:
                    return self._json(self._member_channel(channel_id, user).as_json())
                case "GET", ["channels", channel_id, "members", member]:
                    return self._member(user, channel_id, member)
                case "DELETE", ["channels", channel_id, "members", member]:
                    return await self._remove_channel_member(user, channel_id, member)
                case "POST", ["channels", "direct"]:
                    return self._direct(user, body)
                case "POST", ["posts", post_id, "pin" | "unpin" as verb]:
                    return await self._pin(user, post_id, verb == "pin")
                case "POST", ["channels", "group"]:
                    return self._group(user, body)
                case "POST", ["reactions"]:
                    return await self._react(user, body)
                case "DELETE", ["users", who, "posts", post_id, "reactions", emoji]:
                    return await self._unreact(user, who, post_id, emoji)
            for extension in self.extensions:
                response = await extension(self, request, user, parts)
                if response is not None:
                    return response
            raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        except ApiError as error:
            return self._error(error.status, error.error_id, error.message)

    async def _hooks(self, request: web.Request) -> web.Response:
        """``/hooks/…`` (no session: the hook's id is its secret), served by the extensions
        that take ``user`` "" and the parts after ``hooks``."""
        parts = ["hooks", *request.match_info["tail"].strip("/").split("/")]
        undocumented = f"undocumented request {request.method} {request.path}"
        if undocumented in self.violations:  # not API v4: the document does not cover it
            self.violations.remove(undocumented)
        try:
            for extension in self.extensions:
                response = await extension(self, request, "", parts)
                if response is not None:
                    return response
            raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        except ApiError as error:
            return self._error(error.status, error.error_id, error.message)

    def _self(self, user: str, who: str) -> str:
        """``{user_id}`` in a path, which must be the caller (or ``me``) here."""
        if who != "me" and self._id(who, "user_id") != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not yourself")
        return user

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

    def _team_member(self, team_id: str, member: str) -> web.Response:
        """``GET /teams/{team_id}/members/{user_id}`` (``GetTeamMember``): everybody is on the
        one team; roles ``team_user``, and ``team_admin`` for a team admin."""
        target = self._id(member, "user_id")
        if team_id != self.team_id or target not in self.users:
            raise ApiError(404, "app.team.get_member.missing.app_error", "Not a member")
        admin = target in self.team_admins
        return self._json(
            {
                "team_id": team_id,
                "user_id": target,
                "roles": "team_user team_admin" if admin else "team_user",
                "delete_at": 0,
                "scheme_user": True,
                "scheme_admin": admin,
                "explicit_roles": "",
            }
        )

    def _team(self) -> dict[str, Any]:
        """The one team; every account is on it."""
        return {
            "id": self.team_id,
            "create_at": 0,
            "update_at": 0,
            "delete_at": 0,
            "display_name": "Atelier",
            "name": "atelier",
            "description": "",
            "email": "",
            "type": "O",
            "allowed_domains": "",
            "invite_id": "",
            "allow_open_invite": False,
        }

    def _channels_of(self, user: str, team_id: str) -> web.Response:
        """The user's channels of a team, *and* their direct messages (which have no team):
        store/sqlstore/channel_store.go ``GetChannels``: ``(TeamId = ? OR TeamId = '')``."""
        if team_id != self.team_id:
            raise ApiError(403, "api.context.permissions.app_error", "Not on this team")
        return self._json(
            [
                c.as_json()
                for c in self.channels.values()
                if user in c.members and c.team_id in (team_id, "")
            ]
        )

    async def _create_post(self, user: str, body: dict[str, Any]) -> web.Response:
        """api4/post.go ``createPost``: ``create_post`` in the channel (403
        ``api.context.permissions.app_error`` without it: not a member, or a moderated
        channel), then the message's length (400)."""
        channel = self._member_channel(str(body.get("channel_id", "")), user)
        admin = "channel_admin" in channel.members[user] or self.is_system_admin(user)
        if not channel.members_may_post and not admin:
            raise ApiError(
                403, "api.context.permissions.app_error", "You do not have the permission"
            )
        _check_length(str(body.get("message", "")))
        self._check_root(channel, str(body.get("root_id") or ""))
        seen = self._pending_post(str(body.get("pending_post_id") or ""))
        if seen is not None:
            return self._json(self._client_post(seen), 201)
        made = await self._new_post(user, channel, body)
        return self._json(self._client_post(made, fresh=True), 201)

    def _check_root(self, channel: Channel, root_id: str) -> None:
        """app/post.go ``CreatePost``: a reply's ``root_id`` names a post that exists (a deleted
        one does not) and is itself a root (a reply to a reply: 400
        ``api.post.create_post.root_id.app_error``, "Invalid RootId parameter"), in the same
        channel (400 ``api.post.create_post.channel_root_id.app_error``)."""
        if not root_id:
            return
        root = self.posts.get(root_id)
        if root is None or root["delete_at"] or root["root_id"]:
            raise ApiError(
                400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter"
            )
        if root["channel_id"] != channel.id:
            raise ApiError(
                400,
                "api.post.create_post.channel_root_id.app_error",
                "Invalid ChannelId for RootId parameter",
            )

    def _pending_post(self, pending: str) -> dict[str, Any] | None:
        """app/post.go ``deduplicateCreatePost``: a ``pending_post_id`` seen within the last 30
        seconds (the cache's TTL, keyed by the id alone) answers the post it made, 201, and
        nothing is posted; after that it is forgotten and the same id posts again."""
        if not pending:
            return None
        found = self.pending_post_ids.get(pending)
        if found is None or self.clock() >= found[1]:
            self.pending_post_ids.pop(pending, None)
            return None
        post = self.posts.get(found[0])
        return post if post is not None and not post["delete_at"] else None

    async def _new_post(
        self,
        user: str,
        channel: Channel,
        body: dict[str, Any],
        post_type: str = "",
        from_webhook: bool = False,
    ) -> dict[str, Any]:
        stamp = self._stamp()
        pending = body.get("pending_post_id")
        props = dict(body.get("props") or {})
        if self.users[user].get("is_bot"):  # app/post.go ``CreatePost``: ``if user.IsBot``
            props["from_bot"] = "true"
        if from_webhook:
            props["from_webhook"] = "true"
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
            "type": post_type,
            "props": props,
            "hashtag": "",
            "file_ids": [],
            "pending_post_id": str(pending or ""),
            "has_reactions": False,
            "is_pinned": False,
            "metadata": {},
        }
        self.posts[post["id"]] = post
        if pending:
            self.pending_post_ids[pending] = (post["id"], self.clock() + PENDING_POST_TTL)
        sender = self.users[user]
        await self._broadcast(
            channel,
            "posted",
            {
                "channel_display_name": channel.display_name,
                "channel_name": channel.name,
                "channel_type": channel.type,
                "post": json.dumps(self._client_post(post, fresh=True)),
                "sender_name": "@" + sender["username"],
                "set_online": True,
                "team_id": channel.team_id,
            },
        )
        return post

    async def _patch_post(self, user: str, post_id: str, body: dict[str, Any]) -> web.Response:
        """An edit: app/post.go ``UpdatePost`` sets ``edit_at`` when the message changes;
        store/sqlstore/post_store.go ``Update`` sets ``update_at`` and keeps the old version as
        a *deleted* copy (new id, ``original_id`` = the post, ``delete_at`` = ``update_at``),
        which ``since`` answers too."""
        post = self._post_for(user, post_id)
        # api4/post.go ``patchPost``: someone else's post takes ``edit_others_posts``, which the
        # default roles give team and system admins (model/role.go)
        if post["user_id"] != user and not self.may_manage_others_posts(user):
            raise ApiError(403, "api.context.permissions.app_error", "Not your post")
        message = str(body.get("message", post["message"]))
        _check_length(message)
        pinned = body.get("is_pinned")
        await self._update_post(post, message, post["is_pinned"] if pinned is None else pinned)
        return self._json(self._client_post(post))

    async def _pin(self, user: str, post_id: str, pinned: bool) -> web.Response:
        """``POST /posts/{id}/pin`` and ``/unpin``: api4/post.go ``saveIsPinnedPost`` needs only
        to read the channel, then goes through the edit path (``PatchPost`` with ``IsPinned``):
        the post's ``update_at`` moves, the old version is kept as a deleted copy, and
        ``post_edited`` is sent with the message and ``edit_at`` unchanged (app/post.go
        ``UpdatePost`` sets ``EditAt`` only when the message changes)."""
        post = self._post_for(user, post_id)
        await self._update_post(post, post["message"], pinned)
        return self._json({"status": "OK"})

    async def _update_post(self, post: dict[str, Any], message: str, pinned: bool) -> None:
        stamp = self._stamp()
        old = {**post, "id": new_id(), "original_id": post["id"]}
        old["delete_at"] = old["update_at"] = stamp
        self.posts[old["id"]] = old
        if message != post["message"]:
            post["message"] = message
            post["edit_at"] = stamp
        post["is_pinned"] = bool(pinned)
        post["update_at"] = stamp
        if pinned:
            self.pinned.add(post["id"])
        else:
            self.pinned.discard(post["id"])
        channel = self.channels[post["channel_id"]]
        await self._broadcast(channel, "post_edited", {"post": json.dumps(self._client_post(post))})

    async def _delete_post(self, user: str, post_id: str) -> web.Response:
        """A soft deletion, as api4/post.go ``deletePost`` and app/post.go ``DeletePost`` do.

        Deleting one's own post takes ``delete_post`` (every channel member has it); someone
        else's, ``delete_others_posts``, which the default roles give team and system admins
        only, not channel admins (model/role.go: ``channel_admin`` has
        ``manage_channel_roles`` and ``use_group_mentions``): 403 otherwise.
        store/sqlstore/post_store.go ``Delete`` sets ``delete_at`` and ``update_at`` of the
        post and its replies, and ``props.deleteBy`` (``PostPropsDeleteBy``), which a
        ``since`` answer shows. Then two ``post_deleted`` events carry the post as it was
        before: one for everybody but system admins (``ContainsSanitizedData``: no
        ``delete_by``), one for system admins only (``ContainsSensitiveData``, with
        ``delete_by``).
        """
        post = self._post_for(user, post_id)
        if post["user_id"] != user and not self.may_manage_others_posts(user):
            raise ApiError(
                403, "api.context.permissions.app_error", "You do not have the permission"
            )
        before = self._client_post(post)
        stamp = self._stamp()
        for row in self.posts.values():
            if row["id"] == post["id"] or row["root_id"] == post["id"]:
                row["delete_at"] = row["update_at"] = stamp
                row["props"] = {**row["props"], "deleteBy": user}
        channel = self.channels[post["channel_id"]]
        for socket, member in list(self.sockets.items()):
            if member not in channel.members:
                continue
            data: dict[str, Any] = {"post": json.dumps(before)}
            if self.is_system_admin(member):
                data["delete_by"] = user
            await self._send(socket, "post_deleted", data, {"channel_id": channel.id})
        await asyncio.sleep(0)
        return self._json({"status": "OK"})

    def _post_for(self, user: str, post_id: str) -> dict[str, Any]:
        post = self.posts.get(self._id(post_id, "post_id"))
        if post is None or post["delete_at"]:  # ``GetSingle(id, false)``: deleted is not found
            raise ApiError(404, "app.post.get.app_error", "Post not found")
        self._member_channel(post["channel_id"], user)
        return post

    def _client_post(self, post: dict[str, Any], *, fresh: bool = False) -> dict[str, Any]:
        """A post as answered (app ``PreparePostForClient``): its reactions in
        ``metadata.reactions``. Its ``pending_post_id`` is not stored (model/post.go:
        ``db:"-"``): only the answer to ``POST /posts`` that made it and its ``posted`` event
        (``fresh``) carry it; a post read back has an empty one."""
        reactions = self._live_reactions(post["id"])
        pending = post["pending_post_id"] if fresh else ""
        metadata = {"reactions": reactions} if reactions else {}
        return {**post, "pending_post_id": pending, "metadata": metadata}

    def _channel_posts(self, user: str, channel_id: str, query: Any) -> web.Response:
        """``GET /channels/{id}/posts`` as api4/post.go ``getPostsForChannel`` picks: ``since``
        (when > 0) wins over ``after``, then ``before``, then a plain page."""
        channel = self._member_channel(channel_id, user)
        in_channel = [p for p in self.posts.values() if p["channel_id"] == channel.id]
        try:
            since = int(query.get("since") or 0)
        except ValueError:
            raise ApiError(400, "api.context.invalid_url_param.app_error", "since") from None
        if since > 0:
            # post_store.go ``GetPostsSince``: every post with UpdateAt > since (created,
            # edited, deleted, reacted to), deleted ones included, ``LIMIT 1000`` with no ORDER
            # BY: *which* 1,000 is unspecified — a random sample here, so that no client leans
            # on an order; the answer is then sorted by CreateAt, newest first.
            chosen = [p for p in in_channel if p["update_at"] > since]
            if len(chosen) > SINCE_LIMIT:
                chosen = self._sample.sample(chosen, SINCE_LIMIT)
            return self._post_list(sorted(chosen, key=lambda p: p["create_at"], reverse=True))
        page, per_page = _page(query.get("page")), _per_page(query.get("per_page"))
        live = sorted((p for p in in_channel if not p["delete_at"]), key=lambda p: p["create_at"])
        after, before = query.get("after"), query.get("before")
        # post_store.go ``getPostsAround``: CreateAt after/before the anchor's, live posts,
        # OFFSET page * per_page LIMIT per_page; both answer newest first
        if after or before:
            anchor = self.posts.get(self._id(str(after or before), "after" if after else "before"))
            if anchor is None:  # ``CreateAt > (SELECT CreateAt … WHERE Id = ?)`` is NULL
                return self._post_list([])
            if after:
                live = [p for p in live if p["create_at"] > anchor["create_at"]]
                chosen = live[page * per_page : (page + 1) * per_page]
                return self._post_list(chosen[::-1])
            live = [p for p in live if p["create_at"] < anchor["create_at"]]
        newest_first = live[::-1]
        return self._post_list(newest_first[page * per_page : (page + 1) * per_page])

    def _post_list(self, posts: list[dict[str, Any]]) -> web.Response:
        return self._json(
            {
                "order": [p["id"] for p in posts],
                "posts": {p["id"]: self._client_post(p) for p in posts},
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

    async def _remove_channel_member(self, user: str, channel_id: str, member: str) -> web.Response:
        """``DELETE /channels/{channel_id}/members/{user_id}`` (openapi-v4.yaml, operation
        ``RemoveUserFromChannel``: 200 ``StatusOK``; 400, 401, 403), as api4/channel.go
        ``removeChannelMember`` checks, in this order: the channel (``GetChannel``: 404), the
        user (``GetUser``: 404), the type ("members can only be deleted from public or private
        channels": 400 ``api.channel.remove_channel_member.type.app_error``), then, to remove
        someone else, ``manage_public_channel_members`` (which the default scheme gives every
        channel member, and nobody outside it: 403). Leaving needs no permission. Removing
        someone who is not a member fails in app/channel.go ``removeUserFromChannel`` at
        ``GetChannelMember`` (404 ``app.channel.get_member.missing.app_error``; the document
        lists no 404 here, but the real server answers it). ``me`` is the caller
        (web/context.go ``RequireUserId``)."""
        channel = self.channels.get(self._id(channel_id, "channel_id"))
        if channel is None:
            raise ApiError(404, "app.channel.get.existing.app_error", "Channel not found")
        target = user if member == "me" else self._id(member, "user_id")
        if target not in self.users:
            raise ApiError(404, "app.user.missing_account.const", "User not found")
        if channel.type not in ("O", "P"):
            raise ApiError(
                400,
                "api.channel.remove_channel_member.type.app_error",
                "Unable to remove user from a channel.",
            )
        if target != user and user not in channel.members:
            raise ApiError(
                403, "api.context.permissions.app_error", "You do not have the permission"
            )
        if target not in channel.members:
            raise ApiError(404, "app.channel.get_member.missing.app_error", "Not a member")
        await self._remove_from_channel(channel, target, user)
        return self._json({"status": "OK"})

    async def _remove_from_channel(self, channel: Channel, user: str, remover: str) -> None:
        """app/channel.go ``removeUserFromChannel``: the membership goes first
        (``Store().Channel().RemoveMember``), *then* ``user_removed`` is published to the
        channel (``{user_id, remover_id}``, broadcast ``channel_id``) — which the removed
        person, no longer a member, does not get — and to the removed person alone
        (``{channel_id, remover_id}``, broadcast ``user_id``: "because the removed user no
        longer belongs to the channel we need to send a separate websocket event").
        ``RemoveUserFromChannel`` then posts the system message: ``postLeaveChannelMessage``
        (type ``system_leave_channel``, by the person who left, "@name left the channel.") or
        ``postRemoveFromChannelMessage`` (type ``system_remove_from_channel``, by the remover,
        "@name removed from the channel.")."""
        channel.members.pop(user, None)
        await self._broadcast(channel, "user_removed", {"user_id": user, "remover_id": remover})
        await self._send_to_user(
            user,
            "user_removed",
            {"channel_id": channel.id, "remover_id": remover},
            {"user_id": user},
        )
        username = self.users[user]["username"]
        if user == remover:
            kind, text = "system_leave_channel", f"@{username} left the channel."
            props: dict[str, Any] = {"username": username}
        else:
            kind, text = "system_remove_from_channel", f"@{username} removed from the channel."
            props = {"removedUserId": user, "removedUsername": username}
        await self._new_post(remover, channel, {"message": text, "props": props}, kind)

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

    def _group(self, user: str, body: list[str]) -> web.Response:
        """``POST /channels/group`` (operation ``CreateGroupChannel``): the caller is added if
        missing (the API reference); 3 to 8 people, else 400 (app/channel.go
        ``CreateGroupChannel``); the same people make the same channel, named by the SHA-1 of
        their sorted ids (model/channel.go ``GetGroupNameFromUserIds``), its display name
        their usernames, sorted, joined by ", " (``GetGroupDisplayNameFromUsers``); no team."""
        ids = sorted({self._id(str(u), "user_id") for u in [*body, user]})
        if not GROUP_MIN <= len(ids) <= GROUP_MAX or any(u not in self.users for u in ids):
            raise ApiError(400, "api.channel.create_group.bad_size.app_error", "bad size")
        return self._json(self.add_group(ids).as_json(), 201)

    def add_group(self, members: list[str]) -> Channel:
        """The group message of these people (type ``G``), made once."""
        ids = sorted(members)
        name = hashlib.sha1("".join(ids).encode()).hexdigest()
        existing = next((c for c in self.channels.values() if c.name == name), None)
        if existing is None:
            names = sorted(str(self.users[u]["username"]) for u in ids)
            existing = Channel(new_id(), "", "G", name, ", ".join(names))
            existing.members = {u: "channel_user" for u in ids}
            self.channels[existing.id] = existing
        return existing

    def _live_reactions(self, post_id: str) -> list[dict[str, Any]]:
        """store/sqlstore/reaction_store.go ``GetForPost``: not deleted, by CreateAt."""
        live = [
            r
            for (_, post, _), r in self.reactions.items()
            if post == post_id and not r["delete_at"]
        ]
        return sorted(live, key=lambda r: r["create_at"])

    def _touch(self, post: dict[str, Any], stamp: int) -> None:
        """A reaction added or removed bumps the post: reaction_store.go
        ``updatePostForReactionsOnInsert`` / ``UpdatePostHasReactionsOnDeleteQuery`` set its
        UpdateAt and HasReactions."""
        post["update_at"] = stamp
        post["has_reactions"] = bool(self._live_reactions(post["id"]))

    async def _react(self, user: str, body: dict[str, Any]) -> web.Response:
        if body.get("user_id") != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not yourself")
        post = self._post_for(user, str(body.get("post_id", "")))
        emoji = str(body.get("emoji_name", ""))
        stamp = self._stamp()
        # model/reaction.go ``PreSave`` stamps the request's reaction; that is what the answer
        # and the ``reaction_added`` event carry (app/reaction.go ``sendReactionEvent``)
        sent = {
            "user_id": user,
            "post_id": post["id"],
            "emoji_name": emoji,
            "create_at": stamp,
            "update_at": stamp,
            "delete_at": 0,
            "remote_id": "",
            "channel_id": post["channel_id"],
        }
        row = self.reactions.get((user, post["id"], emoji))
        if row is not None and not row["delete_at"]:
            return self._json(row)  # already there: nothing changes here
        if row is None:
            self.reactions[(user, post["id"], emoji)] = dict(sent)
        else:  # taken back earlier: reaction_store.go ``Save`` upserts ``ON CONFLICT … DO
            # UPDATE SET UpdateAt, DeleteAt …`` — the row keeps its first CreateAt
            row.update(update_at=stamp, delete_at=0)
        self._touch(post, stamp)
        channel = self.channels[post["channel_id"]]
        await self._broadcast(channel, "reaction_added", {"reaction": json.dumps(sent)})
        return self._json(sent)

    async def _unreact(self, user: str, who: str, post_id: str, emoji: str) -> web.Response:
        if self._id(who, "user_id") != user:
            raise ApiError(403, "api.context.permissions.app_error", "Not yourself")
        post = self._post_for(user, post_id)
        stamp = self._stamp()
        row = self.reactions.get((user, post["id"], emoji))
        if row is not None and not row["delete_at"]:  # reaction_store.go ``Delete``: soft
            row.update(update_at=stamp, delete_at=stamp)
        # app/reaction.go ``DeleteReactionForPost`` does not ask whether the reaction was
        # there: the post is bumped and the event sent all the same
        self._touch(post, stamp)
        # api4/reaction.go ``deleteReaction`` builds the reaction from the URL alone, and
        # ``PreUpdate`` only sets UpdateAt: the event has no create_at and no channel_id (the
        # channel is in the event's ``broadcast``)
        sent = {
            "user_id": user,
            "post_id": post["id"],
            "emoji_name": emoji,
            "create_at": 0,
            "update_at": stamp,
            "delete_at": 0,
            "remote_id": "",
            "channel_id": "",
        }
        channel = self.channels[post["channel_id"]]
        await self._broadcast(channel, "reaction_removed", {"reaction": json.dumps(sent)})
        return self._json({"status": "OK"})

    # -- websocket -----------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        """A fresh connection each time: events sent while a client had none are lost to it.

        The real server replays missed events only to a client that reconnects with its former
        ``connection_id`` and ``sequence_number`` and a session at upgrade time
        (api4/websocket.go ``connectWebSocket``: without them "it's a fresh connection. We just
        create a new ID"); mattermostdriver sends neither, and authenticates after the upgrade.
        """
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
                    # app/platform/websocket_router.go ``ServeWebSocket``: a token with no
                    # session (``GetSession`` fails) closes the connection, with no answer
                    await socket.close()
                    break
                await socket.send_str(json.dumps({"status": "OK", "seq_reply": data.get("seq")}))
                self._seq[socket] = 0
                self._socket_tokens[socket] = str(data["data"]["token"])
                await self._send(socket, "hello", {"server_version": "9.11.0"}, {"user_id": user})
                self.sockets[socket] = user
        self.sockets.pop(socket, None)
        self._seq.pop(socket, None)
        self._socket_tokens.pop(socket, None)
        return socket

    async def _send(
        self,
        socket: web.WebSocketResponse,
        event: str,
        data: dict[str, Any],
        broadcast: dict[str, Any],
    ) -> None:
        token = self._socket_tokens.get(socket)
        if token is not None and token not in self.tokens:
            # app/platform/web_conn.go ``ShouldSendEvent``: "Do not send event if WebConn does
            # not have a session": a websocket whose session ended stays open, silent
            return
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


def _check_length(message: str) -> None:
    """model/post.go ``IsValid``: a message over ``maxPostSize`` characters is refused."""
    if len(message) > MAX_POST_RUNES:
        raise ApiError(
            400, "model.post.is_valid.message_length.app_error", "Invalid Message property"
        )


def _page(value: str | None) -> int:
    """web/params.go: a missing, bad or negative ``page`` is 0."""
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def _per_page(value: str | None) -> int:
    """web/params.go ``getPerPageFromQuery``: 60 by default, at most 200."""
    try:
        number = int(value or "")
    except ValueError:
        return PER_PAGE_DEFAULT
    return PER_PAGE_DEFAULT if number < 0 else min(number, PER_PAGE_MAXIMUM)
