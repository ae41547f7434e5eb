"""The bot's HTTP endpoint for Mattermost: the `/atelier` slash command and button clicks.

aiohttp, on the address of ``[mattermost] listen``; Mattermost reaches it at ``public_url``.
Two routes, each answered at once (``adapters.mattermost_actions`` queues the input for the
runtime): ``POST /mattermost/command`` (form-encoded, as app/command.go ``DoCommandRequest``
sends it) and ``POST /mattermost/action`` (JSON, as app/integration_action.go
``DoActionRequest`` sends it). A body over ``MAX_BODY`` is refused (413) before it is read.
"""

import json
import logging

from aiohttp import web

from adapters.mattermost_actions import ACTION_PATH, COMMAND_PATH, Answer, Integrations
from bot.config import listen_address

__all__ = ["MAX_BODY", "Endpoint"]

log = logging.getLogger("atelier.mattermost")

#: the largest request read: a slash command of 40,000 characters, URL-encoded, fits
MAX_BODY = 512 * 1024


class Endpoint:
    def __init__(self, listen: str, integrations: Integrations) -> None:
        self.host, self.port = listen_address(listen)
        self.integrations = integrations
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(COMMAND_PATH, self._command)
        app.router.add_post(ACTION_PATH, self._action)
        self._runner = web.AppRunner(app, access_log=None)  # no one's words in the logs
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("serving /atelier and buttons on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _command(self, request: web.Request) -> web.Response:
        form = await request.post()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        return _json(
            await self.integrations.command(fields, request.headers.get("Authorization", ""))
        )

    async def _action(self, request: web.Request) -> web.Response:
        try:
            payload = await request.json()
        except ValueError:
            return _json((400, {}))
        if not isinstance(payload, dict):
            return _json((400, {}))
        return _json(await self.integrations.action(payload))


def _json(answer: Answer) -> web.Response:
    status, body = answer
    return web.Response(
        body=json.dumps(body).encode(), status=status, content_type="application/json"
    )
