"""The test server's integrations behave as Mattermost's on the points the bot meets: who may
register a command, duplicate triggers, the integration's time limit, actions a post has not,
and a slash command sent twice to the bot counted once."""

import asyncio

import aiohttp
import pytest
import requests
from aiohttp import web
from mattermost_buttons_kit import ButtonPeople, free_port, serving_bot
from mattermost_integrations import install
from mattermost_kit import MattermostPeople
from mattermostdriver.exceptions import InvalidOrMissingParameters, NotEnoughPermissions
from mattermostdriver.exceptions import ResourceNotFound as NotFound
from people_kit import until

from adapters.mattermost_actions import COMMAND_PATH


async def _people(mattermost) -> MattermostPeople:  # type: ignore[no-untyped-def]
    mattermost.add_user("atelier", "bot-password")
    people = MattermostPeople(mattermost, ("ana", "ben"), refs=None, state=None)  # type: ignore[arg-type]
    await people.open(facilitator="ana")
    return people


def _command(people: MattermostPeople, url: str, trigger: str = "slow") -> dict[str, object]:
    return {"team_id": people.server.team_id, "trigger": trigger, "method": "P", "url": url}


async def test_only_team_admins_register_commands_and_triggers_are_unique(mattermost):
    """403 for a member; 201 for a team admin; the same trigger again is 400."""
    integrations = install(mattermost)
    people = await _people(mattermost)
    ana = people.drivers["ana"].commands
    body = _command(people, "http://bot.example/command")
    with pytest.raises(NotEnoughPermissions):
        await asyncio.to_thread(ana.create_command, body)
    integrations.team_admins.add(people.ids["ana"])
    created = await asyncio.to_thread(ana.create_command, {**body, "trigger": "Slow"})
    assert created["trigger"] == "slow" and len(created["token"]) == 26
    with pytest.raises(InvalidOrMissingParameters):
        await asyncio.to_thread(ana.create_command, body)


async def test_an_integration_slower_than_the_limit_fails_the_command(mattermost):
    """The server gives up after its timeout: the person gets an error, not a hang."""
    integrations = install(mattermost, allowed_internal={"127.0.0.1"}, timeout=0.5)
    people = await _people(mattermost)
    integrations.team_admins.add(people.ids["ana"])

    answered = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await answered.wait()  # never before the server has given up
        return web.json_response({"text": "too late"})

    app = web.Application()
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        ana = people.drivers["ana"].commands
        await asyncio.to_thread(
            ana.create_command, _command(people, f"http://127.0.0.1:{port}/slow")
        )
        options = {"channel_id": people.channel, "command": "/slow now"}
        with pytest.raises(requests.HTTPError, match="500"):
            await asyncio.to_thread(ana.execute_command, options)
        assert integrations.ephemeral_to(people.ids["ana"]) == []
    finally:
        answered.set()
        await runner.cleanup()
        integrations.forgive_undocumented()


async def test_a_private_address_is_called_only_when_the_administrator_allows_it(mattermost):
    """Without AllowedUntrustedInternalConnections, 127.0.0.1 is never called."""
    integrations = install(mattermost)
    people = await _people(mattermost)
    integrations.team_admins.add(people.ids["ana"])
    ana = people.drivers["ana"].commands
    await asyncio.to_thread(ana.create_command, _command(people, "http://127.0.0.1:9/x"))
    with pytest.raises(requests.HTTPError, match="500"):
        await asyncio.to_thread(
            ana.execute_command, {"channel_id": people.channel, "command": "/slow"}
        )
    assert integrations.calls == []
    integrations.forgive_undocumented()


async def test_a_click_on_an_action_the_post_does_not_have_is_not_found(mattermost, tmp_path):
    """``…/actions/{id}`` for an id the post lacks: 404, and the bot is not called."""
    bot, integrations = await serving_bot(mattermost, tmp_path)
    people = ButtonPeople(mattermost, ("camille", "alice"), refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="camille")
        await people.slash("camille", "démarrer")
        calls = len(integrations.calls)
        with pytest.raises(NotFound):
            await people.click_ref("alice", "welcome", "vote")
        assert len(integrations.calls) == calls
        integrations.forgive_undocumented()
    finally:
        await bot.stop()


async def test_the_same_slash_command_delivered_twice_counts_once(mattermost, tmp_path):
    """A repeated request (same trigger_id), as a retrying proxy would send: one atelier
    start, one answer."""
    bot, integrations = await serving_bot(mattermost, tmp_path)
    people = ButtonPeople(mattermost, ("camille", "alice"), refs=bot.refs, state=bot.state)
    try:
        await people.open(facilitator="camille")
        command = next(iter(integrations.commands.values()))
        form = {
            "token": command["token"],
            "user_id": people.ids["alice"],
            "channel_id": people.channel,
            "channel_name": "atelier",
            "text": "aide",
            "trigger_id": "the-same-trigger",
        }
        url = bot.config.mattermost.public_url + COMMAND_PATH
        async with aiohttp.ClientSession() as session:
            for text, trigger in (("aide", "once"), ("aide", "once"), ("état", "then")):
                sent = {**form, "text": text, "trigger_id": trigger}
                async with session.post(url, data=sent) as answer:
                    assert answer.status == 200
        # one queue, in order: once `état` is answered, the repeated `aide` has been handled
        await until(
            "the answer to état", lambda: any("n'est en cours" in h.text for h in people.heard)
        )
        helps = [h for h in people.heard if "Aucun atelier en cours ici" in h.text]
        assert len(helps) == 1
    finally:
        await bot.stop()
