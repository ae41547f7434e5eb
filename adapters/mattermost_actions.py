"""`/atelier` and buttons on Mattermost: what the server sends the bot's endpoint, made into the
runtime's inbound values; and the engine's buttons, made into a post's interactive actions.

**The slash command.** Mattermost POSTs the command form-encoded to the command's URL
(app/command.go ``tryExecuteCustomCommand``: ``token``, ``team_id``, ``channel_id``,
``channel_name``, ``user_id``, ``user_name``, ``command``, ``text``, ``trigger_id``,
``response_url``…) and waits for the answer (``OutgoingIntegrationRequestsTimeout``). It does
not send the command again. The token is compared in constant time with ``command_token``. The
text becomes exactly what the adapter builds for a typed ``!atelier …``: a ``MessagePosted`` in
a channel (same parser, same permissions, the user id Mattermost gives), a ``DirectIn`` in the
private conversation with the bot. Nothing is echoed to the channel (a slash command is no
post): the bot's answers go where the engine sends them, and its acknowledgement (a ✅
reaction to a typed command) reaches the author alone, through the command's
``response_url``. The event id comes from the ``trigger_id``, unique to one execution.

**Buttons.** A post's ``props.attachments[].actions[]`` (model/post.go, ``PostAction``): a
button with an ``integration`` (our URL and a ``context``). On a click the server POSTs JSON
(app/integration_action.go ``DoPostActionWithCookie``: ``user_id``, ``user_name``,
``channel_id``, ``team_id``, ``post_id``, ``trigger_id``, ``type``, ``context``) to that URL.
The context carries a secret of ours (the server never shows an integration's context to
clients: ``StripActionIntegrations``), compared in constant time, and what the button stands
for: the reaction to its post (a ``ReactionIn``), or the private command (a ``DirectIn``
naming its atelier), with the guard of the step it belongs to. A command button is done once
per post (its event id is the post and the action: a double click is dropped by the runtime,
and answered here, privately).

Both answer at once: the input is written to the store's journal (``INBOX``), then queued
for the runtime, which handles it in order; the endpoint never waits for the engine or for
delivery. Mattermost never sends a command or a click again, so an input is kept before it is
answered: one still in the journal at start-up (the bot stopped in between) is handed to the
runtime then — once, as the runtime drops an event id it has already handled (so the journal
is only written when an input comes, and at close).
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

from adapters.mattermost_directory import PREFIX, Directory
from adapters.mattermost_markdown import to_mattermost
from adapters.mattermost_socket import client_tls_context, driver_options
from bot.config import MattermostSection
from bot.effects import Button
from bot.events import MessagePosted
from bot.ids import EventId, MessageId, RoomId, UserId
from bot.inbound import DirectIn, Inbound, ReactionIn
from bot.log_safe import failure
from bot.ports import KeyValue
from bot.sizes import INPUT_MAX, too_long
from bot.texts import render

__all__ = [
    "ACTION_PATH",
    "COMMAND_PATH",
    "SLASH",
    "Answer",
    "Integrations",
]

log = logging.getLogger("atelier.mattermost")

COMMAND_PATH = "/mattermost/command"
ACTION_PATH = "/mattermost/action"
#: message ids of slash commands: there is no post to react to
SLASH = "slash-"
#: store key: the secret our buttons carry in their context
SECRET = "mattermost.action_secret"
#: store key: commands and clicks answered but not yet handed to the runtime (JSON)
INBOX = "mattermost.inbox"
#: the button styles Mattermost knows (webapp ``ActionButton``); the rest are "default"
STYLES = {"yes": "success", "no": "danger", "join": "primary", "next": "primary"}
#: command buttons already clicked, remembered (post, action) to answer a double click
CLICKED_KEPT = 2_000
#: inputs waiting for the runtime; past this, Mattermost is told to try later (503)
QUEUE_MAX = 1_000
#: how long a click's answer may wait to read its post (Mattermost waits for the answer)
FETCH_SECONDS = 1.0

#: (HTTP status, JSON body) of an answer to Mattermost
Answer = tuple[int, dict[str, Any]]
Emit = Callable[[Inbound], Awaitable[None]]
Make = Callable[[], Awaitable[Inbound | None]]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:26]


class Integrations:
    def __init__(
        self,
        settings: MattermostSection,
        directory: Directory,
        store: KeyValue,
        *,
        emit: Emit,
        language: str,
        prefix: str,
        platform: str,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.store = store
        self.emit = emit
        self.language = language
        self.prefix = prefix
        self.platform = platform
        self.secret = ""
        self._queue: asyncio.Queue[tuple[str, Make]] = asyncio.Queue(QUEUE_MAX)
        #: the journal: input key → (kind, what Mattermost sent), kept until handed over
        self._inbox: dict[str, tuple[str, dict[str, Any]]] = {}
        self._worker: asyncio.Task[None] | None = None
        self._clicked: dict[tuple[str, str], None] = {}
        #: slash command (its message id) → its response_url, for the acknowledgement
        self._responses: dict[str, str] = {}
        #: reads a post (``GET /posts/{id}``), to retire a command button once used
        self.fetch: Callable[[str], Awaitable[dict[str, Any]]] | None = None

    @property
    def action_url(self) -> str:
        return (self.settings.public_url or "").rstrip("/") + ACTION_PATH

    async def load(self) -> None:
        """The secret of our buttons: made once, kept (posts carry it for as long as they live)."""
        self.secret = await self.store.get(SECRET) or ""
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)
            await self.store.put(SECRET, self.secret)
        self._worker = asyncio.get_running_loop().create_task(self._work())
        kept = json.loads(await self.store.get(INBOX) or "{}")
        for kind, fields in kept.values():  # answered before a stop, never handed over
            if kind == "command":
                await self.command(fields, "", replay=True)
            else:
                await self.action(fields, replay=True)

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            await self._write_inbox()  # what is left was never handed over

    # -- buttons out ---------------------------------------------------------------------------
    def props(self, buttons: tuple[Button, ...], room: str) -> dict[str, Any] | None:
        """A post's ``props`` for the engine's buttons (None without an endpoint)."""
        if not buttons or not self.settings.public_url or not self.secret:
            return None
        actions = []
        # every button of the post, so that a click can leave the others in place (clients
        # never see a context: the post's own copy is the only one, with the integration)
        panel = [[b.action, b.label, b.reaction, b.command, b.guard] for b in buttons]
        for button in buttons:
            context: dict[str, Any] = {
                "secret": self.secret,
                "action": button.action,
                "room": room,
                "panel": panel,
            }
            if button.reaction is not None:
                context["reaction"] = button.reaction
            if button.command is not None:
                context["command"] = button.command
            if button.guard is not None:
                context["guard"] = button.guard
            actions.append(
                {
                    "id": button.action,
                    "name": button.label,
                    "type": "button",
                    "style": STYLES.get(button.action, "default"),
                    "integration": {"url": self.action_url, "context": context},
                }
            )
        return {"attachments": [{"text": "", "actions": actions}]}

    # -- the slash command in ------------------------------------------------------------------
    async def command(
        self, form: Mapping[str, str], authorization: str, *, replay: bool = False
    ) -> Answer:
        """``replay``: from the journal at start-up (checked when it came)."""
        expected = self.settings.command_token or ""
        given = form.get("token") or authorization.removeprefix("Token ").strip()
        if not replay and (
            not expected or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            log.warning("refused a slash command with a wrong token")
            return 401, {"text": "wrong token"}
        text = form.get("text", "").strip()
        if too_long(text):
            body = render(self.language, "safety.too_long", length=len(text), most=INPUT_MAX)
            return 200, self._ephemeral(body)
        user, channel = form.get("user_id", ""), form.get("channel_id", "")
        if not user or not channel:
            return 400, {"text": "missing user_id or channel_id"}
        pair = form.get("channel_name", "").split("__")
        direct = len(pair) == 2
        if direct and self.directory.user_id not in pair:
            command = "/" + self.settings.command_trigger
            elsewhere = render(self.language, "mattermost.slash_elsewhere", command=command)
            return 200, self._ephemeral(elsewhere)
        if not direct and _group_message(self.directory.kinds.get(channel), pair[0]):
            body = render(self.language, "group_message.not_a_room", prefix=self.prefix)
            return 200, self._ephemeral(body)
        event = EventId(SLASH + _digest(form.get("trigger_id") or secrets.token_hex(16)))
        typed = f"{self.prefix} {text}".strip()
        root = form.get("root_id", "")
        if form.get("response_url"):
            self._responses[event] = form["response_url"]
            while len(self._responses) > CLICKED_KEPT:
                del self._responses[next(iter(self._responses))]

        async def inbound() -> Inbound:
            name, _ = await self.directory.who(user)
            if direct:
                await self.directory.wrote_directly(user, channel)
                return DirectIn(
                    platform=self.platform,
                    sender=UserId(user),
                    sender_name=name,
                    text=typed,
                    event_id=event,
                )
            return MessagePosted(
                room=RoomId(PREFIX + channel),
                sender=UserId(user),
                sender_name=name,
                text=typed,
                message_id=MessageId(event),
                event_id=event,
                moderator=await self.directory.is_admin(channel, user),
                thread=MessageId(root) if root else None,  # typed in a thread: answered there
            )

        return await self._accept(event, "command", form, inbound, replay)

    async def acknowledge(self, message_id: str, emoji: str) -> None:
        """The engine acknowledges a slash command (a reaction, for a typed one): there is no
        post to react to, so its author sees the emoji alone, privately, through the command's
        ``response_url`` (an ephemeral answer; it serves 5 answers within 30 minutes). Best
        effort: a failure is logged, never retried."""
        url = self._responses.pop(message_id, None)
        if url is None:
            return  # made before a restart: nothing to answer through
        answer = {"response_type": "ephemeral", "text": f":{emoji}:", "skip_slack_parsing": True}
        verify = driver_options(self.settings)["verify"]
        tls = client_tls_context(verify) if url.startswith("https://") else None
        timeout = aiohttp.ClientTimeout(total=10)
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, json=answer, ssl=tls or True) as response,
            ):
                if response.status == 200:
                    return
        log.info("could not acknowledge a slash command through its response_url")

    # -- a click in ----------------------------------------------------------------------------
    async def action(self, payload: Mapping[str, Any], *, replay: bool = False) -> Answer:
        """``replay``: from the journal at start-up (checked when it came)."""
        context = payload.get("context")
        context = context if isinstance(context, dict) else {}
        secret = str(context.get("secret", ""))
        if not replay and (
            not self.secret or not hmac.compare_digest(secret.encode(), self.secret.encode())
        ):
            log.warning("refused a button click without our secret")
            return 401, {}
        user, channel = str(payload.get("user_id", "")), str(payload.get("channel_id", ""))
        post, action = str(payload.get("post_id", "")), str(context.get("action", ""))
        room = str(context.get("room", ""))
        guard = context.get("guard")
        guard = str(guard) if guard is not None else None
        if not user or not channel or not post or not room.startswith(PREFIX):
            return 400, {}
        reaction, command = context.get("reaction"), context.get("command")
        if isinstance(reaction, str):
            click = EventId(
                "click-" + _digest(str(payload.get("trigger_id") or secrets.token_hex(16)))
            )

            async def reacted() -> Inbound:
                name, _ = await self.directory.who(user)
                return ReactionIn(
                    room=RoomId(room),
                    sender=UserId(user),
                    sender_name=name,
                    message_id=MessageId(post),
                    key=reaction,
                    event_id=click,
                    guard=guard,
                )

            return await self._accept(click, "action", payload, reacted, replay)
        if not isinstance(command, str):
            return 400, {}
        if (post, action) in self._clicked:  # a double click: done once already
            return 200, self._answer(render(self.language, "buttons.nothing"))

        async def pressed() -> Inbound:
            name, _ = await self.directory.who(user)
            await self.directory.wrote_directly(user, channel)
            return DirectIn(
                platform=self.platform,
                sender=UserId(user),
                sender_name=name,
                text=command,
                event_id=EventId(f"click:{post}:{action}"),
                room=RoomId(room),
                guard=guard,
            )

        answer = await self._accept(f"click:{post}:{action}", "action", payload, pressed, replay)
        if answer[0] == 200 and not replay:
            self._clicked[(post, action)] = None
            while len(self._clicked) > CLICKED_KEPT:
                del self._clicked[next(iter(self._clicked))]
            return 200, await self._used(post, action, context.get("panel"), room)
        return answer

    async def _used(self, post_id: str, action: str, panel: Any, room: str) -> dict[str, Any]:
        """The post updated without the button just used (without the whole panel after
        ``next``: its step is over): the same text, fewer buttons. Mattermost replaces the
        message with the update's, so the post is read first; if it cannot be, no update."""
        if self.fetch is None or not isinstance(panel, list):
            return {}
        try:
            post = await asyncio.wait_for(self.fetch(post_id), FETCH_SECONDS)
            left = tuple(
                Button(action=a, label=label, reaction=reaction, command=command, guard=guard)
                for a, label, reaction, command, guard in panel
                if action != "next" and a != action
            )
        except Exception as error:  # the click is queued all the same
            log.info("could not retire a button: %s", failure(error))
            return {}
        props = {**(post.get("props") or {}), "attachments": []}
        props.update(self.props(left, room) or {})
        return {"update": {"message": str(post.get("message", "")), "props": props}}

    # -- in order, to the runtime --------------------------------------------------------------
    async def _accept(
        self, key: str, kind: str, fields: Mapping[str, Any], make: Make, replay: bool
    ) -> Answer:
        """Journal the input (unless it comes from the journal), then queue it; 503 when the
        queue is full, and then it is not kept: Mattermost shows the person an error."""
        if self._queue.full():
            log.warning("too many slash commands and clicks waiting: one refused")
            return 503, {}
        if not replay:
            kept = {name: value for name, value in fields.items() if name != "token"}
            self._inbox[key] = (kind, kept)  # the command's token is a secret: not kept
            await self._write_inbox()  # kept before Mattermost hears it was taken
        self._queue.put_nowait((key, make))
        return 200, {}

    async def _write_inbox(self) -> None:
        await self.store.put(INBOX, json.dumps(self._inbox, ensure_ascii=False))

    async def _work(self) -> None:
        while True:
            key, make = await self._queue.get()
            try:
                inbound = await make()
                if inbound is not None:
                    await self.emit(inbound)
            except Exception as error:  # one bad input never stops the others
                log.error("could not hand over a slash command or click: %s", failure(error))
            # forgotten here, written with the next input or at close: one still written at a
            # stop is handed over again at start-up, and dropped there as already handled
            self._inbox.pop(key, None)

    @staticmethod
    def _ephemeral(text: str) -> dict[str, Any]:
        """A slash command's answer shown to its author only."""
        return {
            "response_type": "ephemeral",
            "text": to_mattermost(text),
            "skip_slack_parsing": True,
        }

    @staticmethod
    def _answer(text: str) -> dict[str, Any]:
        """A click's answer shown to its author only."""
        return {"ephemeral_text": to_mattermost(text), "skip_slack_parsing": True}


def _group_message(kind: str | None, name: str) -> bool:
    """A group message (no atelier room: ``Receiver.group_message``): known as ``G``, or
    named as Mattermost names them, the SHA-1 of its members' ids in hex (model/channel.go
    ``GetGroupNameFromUserIds``), which a slash command's ``channel_name`` gives."""
    return kind == "G" or re.fullmatch(r"[0-9a-f]{40}", name) is not None
