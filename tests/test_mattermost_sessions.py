"""Mattermost: when the server ends the bot's session (issue 12 §2). A password account logs in
again, for its requests (401) and its websocket (closed at its login); a token cannot be
renewed, so the bot says clearly, in its log and at ``check-config``, that it is invalid."""

import asyncio
import logging

from mattermost_kit import BOT_USERNAME, MattermostBot, MattermostPeople, bot_config
from people_kit import heard, texts, until

from bot.cli import main
from bot.config import MattermostSection


def _password_config(mattermost, tmp_path):  # type: ignore[no-untyped-def]
    config = bot_config(mattermost, tmp_path, spm=60)  # creates the bot's account
    section = MattermostSection(url=mattermost.url, login_id=BOT_USERNAME, password="bot-password")
    return config.model_copy(update={"mattermost": section})


async def test_a_password_account_whose_session_ends_logs_in_again_and_loses_nothing(
    mattermost, tmp_path, monkeypatch
):
    """The bot's sessions are revoked while its websocket is up, which falls silent (the real
    server sends nothing to a websocket without a session): asking now and then, the bot
    finds its session ended, logs in again, reconnects, catches up and answers. Revoked
    again, with the websocket dropped: the new websocket is closed at its login, the bot logs
    in again and reconnects; the next answer arrives."""
    monkeypatch.setattr("adapters.mattermost_socket.VERIFY_EVERY", 1.0)
    bot = await MattermostBot(_password_config(mattermost, tmp_path)).start()
    people = MattermostPeople(mattermost, ["camille", "alice"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    try:
        mattermost.revoke_sessions(people.bot_id)
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Bienvenue")

        mattermost.revoke_sessions(people.bot_id)
        await mattermost.drop_websockets()

        def reconnected() -> bool:  # its websocket's login refused, it logged in again
            logins = mattermost.requests.count("POST /api/v4/users/login")
            return logins == 2 + 3 and people.bot_id in mattermost.sockets.values()

        await until("the bot to log in again and reconnect", reconnected)
        await people.say("alice", "!atelier rejoindre")
        await heard(people, "Bienvenue Alice")
    finally:
        await bot.stop()
    assert sum("Bienvenue Alice" in t for t in texts(people)) == 1
    logins = mattermost.requests.count("POST /api/v4/users/login")
    assert logins == 2 + 3  # Camille and Alice; the bot at start, and after each revocation


async def test_a_revoked_token_is_said_clearly_in_the_log_and_by_check_config(
    mattermost, tmp_path, caplog, capsys, monkeypatch
):
    """The bot's token is revoked: its websocket falls silent, and asking (every second here)
    whether the session holds meets 401; its log says, once, that the token is invalid and
    what to do; ``check-config`` says it too and fails, and passes with a valid token."""
    monkeypatch.setattr("adapters.mattermost_socket.VERIFY_EVERY", 1.0)
    config = bot_config(mattermost, tmp_path, spm=60)
    bot = await MattermostBot(config).start()
    people = MattermostPeople(mattermost, ["camille"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    caplog.set_level(logging.ERROR, logger="atelier.mattermost")
    try:
        mattermost.revoke_sessions(people.bot_id)
        await people.say("camille", "!atelier démarrer")
        await until(
            "the log to say the token is invalid",
            lambda: any("token" in r.getMessage() for r in caplog.records),
        )
    finally:
        await bot.stop()
    said = [r.getMessage() for r in caplog.records if "token" in r.getMessage()]
    assert len(said) == 1 and "invalid" in said[0] and "[mattermost] token" in said[0]

    assert config.mattermost is not None
    path = tmp_path / "config.toml"
    path.write_text(
        f'[mattermost]\nurl = "{mattermost.url}"\ntoken = "{config.mattermost.token}"\n'
    )
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["check-config", str(path)]) == 2
    refused = capsys.readouterr().err
    assert "[mattermost] token" in refused and "invalid" in refused
    assert config.mattermost.token not in refused  # never the secret itself
    fresh = mattermost.login_token(BOT_USERNAME)
    path.write_text(f'[mattermost]\nurl = "{mattermost.url}"\ntoken = "{fresh}"\n')
    assert await asyncio.to_thread(main, ["check-config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
