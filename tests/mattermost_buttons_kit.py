"""Helpers for the tests of `/atelier` and buttons: the bot with its endpoint, the command
registered as ``mattermost-setup`` does it, and people typing slash commands and clicking."""

import asyncio
import socket
from pathlib import Path
from typing import Any

from mattermost_integrations import Integrations, install
from mattermost_kit import BOT_USERNAME, MattermostBot, MattermostPeople, bot_config
from mattermost_server import MattermostServer
from people_kit import until

from adapters.mattermost_setup import register
from bot.config import Config
from bot.scenario import wait_for_ref

__all__ = ["ButtonPeople", "free_port", "serving_bot"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def serving_bot(
    server: MattermostServer, folder: Path, spm: float = 60.0
) -> tuple[MattermostBot, Integrations]:
    """The test server with its integrations, and the bot serving `/atelier` and buttons on
    127.0.0.1 (which the server may call: ``AllowedUntrustedInternalConnections``), the
    command registered by the bot's account made team admin."""
    integrations = install(server, allowed_internal={"127.0.0.1"})
    port = free_port()
    config = bot_config(
        server,
        folder,
        spm,
        listen=f"127.0.0.1:{port}",
        public_url=f"http://127.0.0.1:{port}",
        team="atelier",
    )
    assert config.mattermost is not None
    bot_id = next(u["id"] for u in server.users.values() if u["username"] == BOT_USERNAME)
    integrations.team_admins.add(bot_id)
    said: list[str] = []
    assert await asyncio.to_thread(register, config.mattermost, said.append) == 0, said
    token = said[-1].split('"')[1]
    settings = config.mattermost.model_copy(update={"command_token": token})
    config = Config(storage=config.storage, timing=config.timing, mattermost=settings)
    return await MattermostBot(config).start(), integrations


class ButtonPeople(MattermostPeople):
    """People who also type `/atelier …` and click the bot's buttons."""

    async def slash(self, user: str, text: str, channel: str | None = None) -> dict[str, Any]:
        """``user`` runs ``/atelier text`` in the atelier's channel (or ``channel``)."""
        options = {
            "channel_id": channel or self.channel,
            "command": f"/atelier {text}".rstrip(),
            "team_id": self.server.team_id,
        }
        commands = self.drivers[user].commands
        return dict(await asyncio.to_thread(commands.execute_command, options))

    async def slash_privately(self, user: str, text: str) -> dict[str, Any]:
        """``user`` runs ``/atelier text`` in their private conversation with the bot."""
        driver = self.drivers[user]
        channel = await asyncio.to_thread(
            driver.channels.create_direct_message_channel, [self.ids[user], self.bot_id]
        )
        return await self.slash(user, text, str(channel["id"]))

    async def click(self, user: str, post_id: str, action: str) -> dict[str, Any]:
        """``user`` clicks the button ``action`` of the post (``POST …/actions/{id}``)."""
        client = self.drivers[user].client
        answer = await asyncio.to_thread(client.post, f"/posts/{post_id}/actions/{action}", {})
        return dict(answer)

    async def click_ref(self, user: str, ref: str, action: str) -> dict[str, Any]:
        """``user`` clicks ``action`` under the bot's message labelled ``ref`` in the room."""
        post = await wait_for_ref(self._refs, self.room, ref)
        return await self.click(user, post, action)

    def private_posts(self, user: str, action: str) -> list[dict[str, Any]]:
        """The bot's posts to ``user`` privately that carry the button ``action``, oldest
        first (as the server keeps them)."""
        channel = self.direct_channel(user)
        return [
            post
            for post in self.server.posts_by(self.bot_id)
            if post["channel_id"] == channel and action in _actions(post)
        ]

    async def click_private(self, user: str, action: str, after: int = 0) -> dict[str, Any]:
        """``user`` clicks ``action`` on the newest private post of the bot that has it, once
        there are more than ``after`` of them."""
        await until(
            f"a private {action} button", lambda: len(self.private_posts(user, action)) > after
        )
        return await self.click(user, self.private_posts(user, action)[-1]["id"], action)


def _actions(post: dict[str, Any]) -> list[str]:
    return [
        str(action.get("id"))
        for attachment in (post.get("props") or {}).get("attachments") or []
        for action in attachment.get("actions") or []
    ]
