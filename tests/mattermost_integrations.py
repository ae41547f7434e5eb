"""The test server's integrations: custom slash commands and interactive message buttons.

Mattermost's side of both, as the real server plays it (mattermost/mattermost,
``server/channels/…``; the API reference ``openapi-v4.yaml``, ``commands`` and
``DoPostAction``), installed on a ``MattermostServer`` with ``install(server)``:

- ``POST /commands`` (api4/command.go ``createCommand``): ``manage_slash_commands`` on the
  team — team and system admins under the default roles — else 403; the trigger lower-cased,
  without ``/``, unique on the team (400 ``api.command.duplicate_trigger.app_error``); method
  ``P`` or ``G``; a new ``token``; 201. ``EnableCommands`` off: 501.
- ``GET /commands?team_id=&custom_only=true``: the team's commands, to those who may manage
  them (403 otherwise). ``PUT /commands/{id}`` (app ``UpdateCommand``): keeps id, token,
  creator and team.
- ``POST /commands/execute`` (api4 ``executeCommand``, app ``ExecuteCommand``,
  ``tryExecuteCustomCommand``, ``DoCommandRequest``, ``HandleCommandResponse``): the channel's
  member only; in a direct channel the team is the request's ``team_id``; the command's URL
  gets the form (``token``, ``team_id``, ``team_domain``, ``channel_id``, ``channel_name``,
  ``user_id``, ``user_name``, ``command``, ``text``, ``trigger_id``, ``root_id``,
  ``response_url``) with ``Authorization: Token …``, within ``timeout`` seconds
  (``OutgoingIntegrationRequestsTimeout``); not 200, no answer in time, or an empty answer:
  500 ``api.command.execute_command.failed…``. A JSON answer ``ephemeral`` (or without type)
  with text reaches the user alone (``SendEphemeralPost``: the ``ephemeral_message`` event);
  ``in_channel`` becomes a post of the user, marked ``from_webhook``. Never sent twice.
- ``POST /posts/{post_id}/actions/{action_id}`` (app/integration_action.go
  ``DoPostActionWithCookie``): the post's action with that id and an integration, else 404
  ``api.post.do_action.action_id.app_error``; the integration's URL gets the JSON request
  (``user_id``, ``user_name``, ``channel_id``, ``channel_name``, ``team_id``, ``team_domain``,
  ``post_id``, ``trigger_id``, ``type``, ``context``); not 200 or too late: 400
  ``api.post.do_action.action_integration.app_error``; the answer's ``update`` replaces the
  post (``post_edited``), its ``ephemeral_text`` goes to the user alone; 200 ``{status,
  trigger_id}``.
- Outgoing requests to a private or loopback address are refused unless the host is in
  ``allowed_internal`` (``ServiceSettings.AllowedUntrustedInternalConnections``; app
  httpservice ``MakeClient(false)``).
- Posts as clients see them have no ``integration`` in their actions (model/post.go
  ``StripActionIntegrations``, called by ``ToJSON``): the secret in a context never reaches
  a user. ``install`` wraps the server's ``_client_post`` for that.
"""

import ipaddress
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from mattermost_server import JSON_BODY, ApiError, MattermostServer, new_id, now_ms

__all__ = ["Integrations", "install"]

#: ``ServiceSettings.OutgoingIntegrationRequestsTimeout`` (config default 30 s); the tests hold
#: the bot to 3 s, the limit users feel (and Slack's, which integrations are written for)
TIMEOUT = 3.0


#: a response_url serves 5 answers within 30 minutes (app/command.go ``CreateCommandWebhook``,
#: model/command_webhook.go ``CommandWebhookLifetime``, app ``HandleCommandWebhook``)
HOOK_USES = 5
HOOK_SECONDS = 30 * 60


@dataclass
class Integrations:
    server: MattermostServer
    enable_commands: bool = True
    timeout: float = TIMEOUT
    #: ``AllowedUntrustedInternalConnections``: hosts the server may call though private
    allowed_internal: set[str] = field(default_factory=set)
    #: team admins (``manage_slash_commands`` on the team); system admins may too
    team_admins: set[str] = field(default_factory=set)
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (user id, the post) of every ephemeral message sent, in order
    ephemerals: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: a slash command's response_url hooks: id → user, channel, when made, uses
    hooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: every request made to an integration: (URL path, what was sent, seconds it took)
    calls: list[tuple[str, Any, float]] = field(default_factory=list)

    async def route(
        self, server: MattermostServer, request: web.Request, user: str, parts: list[str]
    ) -> web.Response | None:
        body = request[JSON_BODY]
        match request.method, parts:
            case "POST", ["commands"]:
                return server._json(self._create(user, body or {}), 201)
            case "GET", ["commands"]:
                return server._json(self._list(user, request.query))
            case "PUT", ["commands", command_id]:
                return server._json(self._update(user, command_id, body or {}))
            case "POST", ["commands", "execute"]:
                return server._json(await self._execute(user, body or {}))
            case "POST", ["posts", post_id, "actions", action_id]:
                return server._json(await self._action(user, post_id, action_id))
            case "POST", ["hooks", "commands", hook_id]:
                return await self._hook(hook_id, request[JSON_BODY])
        return None

    # -- commands ------------------------------------------------------------------------------
    def _may_manage(self, user: str, team_id: str) -> None:
        if not self.enable_commands:
            raise ApiError(501, "api.command.disabled.app_error", "Commands are disabled")
        if team_id != self.server.team_id:
            raise ApiError(403, "api.context.permissions.app_error", "Not on this team")
        if user not in self.team_admins and not self.server.is_system_admin(user):
            raise ApiError(403, "api.context.permissions.app_error", "manage_slash_commands")

    def _create(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        team_id = str(body.get("team_id", ""))
        self._may_manage(user, team_id)
        trigger = self._trigger(body, team_id, None)
        stamp = now_ms()
        command = {
            "id": new_id(),
            "token": new_id(),
            "create_at": stamp,
            "update_at": stamp,
            "delete_at": 0,
            "creator_id": user,
            "team_id": team_id,
            "trigger": trigger,
            **self._fields(body),
        }
        self.commands[command["id"]] = command
        return command

    def _fields(self, body: dict[str, Any]) -> dict[str, Any]:
        method = str(body.get("method", ""))
        url = str(body.get("url", ""))
        if method not in ("P", "G") or not url.startswith(("http://", "https://")):
            raise ApiError(400, "model.command.is_valid.url.app_error", "Invalid command")
        return {
            "method": method,
            "url": url,
            "username": str(body.get("username", "")),
            "icon_url": str(body.get("icon_url", "")),
            "auto_complete": bool(body.get("auto_complete", False)),
            "auto_complete_desc": str(body.get("auto_complete_desc", "")),
            "auto_complete_hint": str(body.get("auto_complete_hint", "")),
            "display_name": str(body.get("display_name", "")),
            "description": str(body.get("description", "")),
        }

    def _trigger(self, body: dict[str, Any], team_id: str, exclude: str | None) -> str:
        """app/command.go: lower-cased; model ``IsValid``: no leading ``/``, 1–128 characters;
        ``validateCommandTriggerUniqueness``."""
        trigger = str(body.get("trigger", "")).lower()
        if not trigger or trigger.startswith("/") or len(trigger) > 128 or " " in trigger:
            raise ApiError(400, "model.command.is_valid.trigger.app_error", "Invalid trigger")
        for other in self.commands.values():
            if (
                other["team_id"] == team_id
                and other["trigger"] == trigger
                and other["id"] != exclude
            ):
                raise ApiError(400, "api.command.duplicate_trigger.app_error", "Duplicate")
        return trigger

    def _list(self, user: str, query: Any) -> list[dict[str, Any]]:
        team_id = str(query.get("team_id", ""))
        self._may_manage(user, team_id)
        return [c for c in self.commands.values() if c["team_id"] == team_id]

    def _update(self, user: str, command_id: str, body: dict[str, Any]) -> dict[str, Any]:
        old = self.commands.get(self.server._id(command_id, "command_id"))
        if old is None:
            raise ApiError(404, "store.sql_command.get.missing.app_error", "No such command")
        self._may_manage(user, old["team_id"])
        trigger = self._trigger(body, old["team_id"], old["id"])
        old.update(self._fields(body), trigger=trigger, update_at=now_ms())
        return old

    async def _execute(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        server = self.server
        channel = server._member_channel(str(body.get("channel_id", "")), user)
        text = str(body.get("command", ""))
        if not text.startswith("/"):
            raise ApiError(400, "api.command.execute_command.format.app_error", "Bad command")
        head, _, message = text.partition(" ")
        trigger = head[1:].lower()
        team_id = channel.team_id if channel.type not in ("D", "G") else str(body.get("team_id"))
        if not self.enable_commands:
            raise ApiError(501, "api.command.disabled.app_error", "Commands are disabled")
        command = next(
            (
                c
                for c in self.commands.values()
                if c["team_id"] == team_id and c["trigger"] == trigger
            ),
            None,
        )
        if command is None:
            raise ApiError(404, "api.command.execute_command.not_found.app_error", "Not found")
        trigger_id = secrets.token_urlsafe(48)
        form = {
            "token": command["token"],
            "team_id": command["team_id"],
            "team_domain": server._team()["name"],
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user,
            "user_name": server.users[user]["username"],
            "command": "/" + trigger,
            "text": message,
            "trigger_id": trigger_id,
            "root_id": str(body.get("root_id", "")),
            "response_url": f"{server.url}/hooks/commands/{self._new_hook(user, channel.id)}",
        }
        headers = {"Authorization": "Token " + command["token"], "Accept": "application/json"}
        failed = ApiError(500, "api.command.execute_command.failed.app_error", "Command failed")
        status, raw, kind = await self._call(
            command["url"], data=form, headers=headers, failed=failed
        )
        if status != 200:
            raise ApiError(500, "api.command.execute_command.failed_resp.app_error", "Bad status")
        if kind.startswith("application/json"):
            answer = json.loads(raw) if raw else None
        else:
            answer = {"text": raw.decode()} if raw else None
        if not isinstance(answer, dict):
            raise ApiError(500, "api.command.execute_command.failed_empty.app_error", "Empty")
        reply = str(answer.get("text", ""))
        if answer.get("response_type") == "in_channel":
            props = {**(answer.get("props") or {}), "from_webhook": "true"}
            await server._new_post(user, channel, {"message": reply, "props": props})
        elif reply or answer.get("attachments"):
            await self.ephemeral(user, channel.id, reply)
        return {**answer, "trigger_id": trigger_id}

    def _new_hook(self, user: str, channel_id: str) -> str:
        """app ``CreateCommandWebhook``: a hook for the command's later answers."""
        hook = new_id()
        self.hooks[hook] = {"user": user, "channel": channel_id, "at": time.monotonic(), "uses": 0}
        return hook

    async def _hook(self, hook_id: str, body: Any) -> web.Response:
        """web/command_webhook.go, app ``HandleCommandWebhook``: an unknown or expired hook
        (30 minutes), or one used 5 times, is 400; the answer is handled as the command's."""
        hook = self.hooks.get(hook_id)
        expired = hook is None or time.monotonic() - hook["at"] > HOOK_SECONDS
        if hook is None or expired or hook["uses"] >= HOOK_USES or not isinstance(body, dict):
            raise ApiError(400, "web.command_webhook.invalid.app_error", "Invalid webhook")
        hook["uses"] += 1
        channel = self.server.channels[hook["channel"]]
        reply = str(body.get("text", ""))
        if body.get("response_type") == "in_channel":
            props = {**(body.get("props") or {}), "from_webhook": "true"}
            await self.server._new_post(hook["user"], channel, {"message": reply, "props": props})
        elif reply:
            await self.ephemeral(hook["user"], channel.id, reply)
        return web.Response(text="ok")

    # -- buttons -------------------------------------------------------------------------------
    async def _action(self, user: str, post_id: str, action_id: str) -> dict[str, Any]:
        server = self.server
        post = server._post_for(user, post_id)
        found = [
            action
            for attachment in (post.get("props") or {}).get("attachments") or []
            for action in attachment.get("actions") or []
            if action.get("id") == action_id and action.get("integration")
        ]
        if not found:
            raise ApiError(404, "api.post.do_action.action_id.app_error", "No such action")
        action = found[0]
        channel = server.channels[post["channel_id"]]
        trigger_id = secrets.token_urlsafe(48)
        request = {
            "user_id": user,
            "user_name": server.users[user]["username"],
            "channel_id": channel.id,
            "channel_name": channel.name,
            "team_id": channel.team_id,
            "team_domain": server._team()["name"] if channel.team_id else "",
            "post_id": post["id"],
            "trigger_id": trigger_id,
            "type": action.get("type", "button"),
            "context": action["integration"].get("context") or {},
        }
        failed = ApiError(400, "api.post.do_action.action_integration.app_error", "Failed")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        status, raw, _ = await self._call(
            action["integration"]["url"], data=json.dumps(request), headers=headers, failed=failed
        )
        if status != 200:
            raise failed
        answer = json.loads(raw) if raw else {}
        update = answer.get("update")
        if isinstance(update, dict):  # the post replaced; pinned and reactions kept
            # app/post.go ``UpdatePost``: the message and props replaced; edit_at set when
            # the message changes (as an edit)
            stamp = server._stamp()
            message = str(update.get("message", ""))
            if message != post["message"]:
                post["message"], post["edit_at"] = message, stamp
            if update.get("props") is not None:
                post["props"] = dict(update["props"])
            post["update_at"] = stamp
            payload = {"post": json.dumps(server._client_post(post))}
            await server._broadcast(channel, "post_edited", payload)
        if answer.get("ephemeral_text"):
            await self.ephemeral(user, channel.id, str(answer["ephemeral_text"]))
        return {"status": "OK", "trigger_id": trigger_id}

    # -- plumbing ------------------------------------------------------------------------------
    async def _call(
        self, url: str, *, data: Any, headers: dict[str, str], failed: ApiError
    ) -> tuple[int, bytes, str]:
        host = urlsplit(url).hostname or ""
        if _private(host) and host not in self.allowed_internal:
            raise failed  # httpservice: "address forbidden, you may need to set
            # AllowedUntrustedInternalConnections"
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, data=data, headers=headers) as response,
            ):
                raw = await response.read()
                self.calls.append((urlsplit(url).path, data, time.monotonic() - started))
                return response.status, raw, response.headers.get("Content-Type", "")
        except (TimeoutError, aiohttp.ClientError):
            self.calls.append((urlsplit(url).path, data, time.monotonic() - started))
            raise failed from None

    async def ephemeral(self, user: str, channel_id: str, message: str) -> None:
        """app ``SendEphemeralPost``: to the user's websockets only, kept nowhere."""
        post = {
            "id": new_id(),
            "create_at": now_ms(),
            "update_at": now_ms(),
            "user_id": user,
            "channel_id": channel_id,
            "message": message,
            "type": "system_ephemeral",
            "props": {},
        }
        self.ephemerals.append((user, post))
        await self.server._send_to_user(
            user, "ephemeral_message", {"post": json.dumps(post)}, {"channel_id": channel_id}
        )

    def forgive_undocumented(self) -> None:
        """Drop the violations for what the real server answers but the document does not
        list: 500 from ``commands/execute`` when the integration fails (app/command.go
        ``DoCommandRequest``, ``failed_resp``), 404 from ``actions/{id}`` for an action the
        post no longer has (``DoPostActionWithCookie``, ``action_id``)."""
        real = (
            "status 500 is not documented for POST /api/v4/commands/execute",
            "status 404 is not documented for POST /api/v4/posts/{post_id}/actions/{action_id}",
        )
        self.server.violations[:] = [
            v for v in self.server.violations if not any(v.endswith(r) for r in real)
        ]

    def ephemeral_to(self, user: str) -> list[str]:
        return [post["message"] for who, post in self.ephemerals if who == user]


def _private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return address.is_private or address.is_loopback or address.is_link_local


def _strip(post: dict[str, Any]) -> dict[str, Any]:
    """model/post.go ``StripActionIntegrations``: actions without their ``integration``."""
    attachments = (post.get("props") or {}).get("attachments")
    if not attachments:
        return post
    stripped = [
        {
            **attachment,
            "actions": [
                {k: v for k, v in action.items() if k != "integration"}
                for action in attachment.get("actions") or []
            ],
        }
        for attachment in attachments
    ]
    return {**post, "props": {**post["props"], "attachments": stripped}}


def install(server: MattermostServer, **settings: Any) -> Integrations:
    """Serve commands and buttons on ``server``; posts reach clients stripped of integrations."""
    integrations = Integrations(server, **settings)
    server.extensions.append(integrations.route)
    unstripped = server._client_post
    server._client_post = lambda post, **kw: _strip(unstripped(post, **kw))  # type: ignore[method-assign]
    return integrations
