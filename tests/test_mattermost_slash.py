"""`/atelier …` on Mattermost: registered by ``mattermost-setup``, called by the server with
the real payload, the same as a typed ``!atelier …``, answered within the time limit."""

import asyncio

import aiohttp
import pytest
import requests
from mattermost_buttons_kit import ButtonPeople, serving_bot
from mattermost_integrations import install
from mattermost_kit import BOT_USERNAME, MattermostBot, bot_config
from people_kit import heard, texts, until

from adapters.mattermost_actions import COMMAND_PATH
from adapters.mattermost_setup import register
from bot.config import ConfigError, load_config
from bot.formats import StepKind

CAST = ("camille", "alice", "bruno")


async def _open(mattermost, tmp_path, names=CAST):  # type: ignore[no-untyped-def]
    bot, integrations = await serving_bot(mattermost, tmp_path)
    people = ButtonPeople(mattermost, names, refs=bot.refs, state=bot.state)
    await people.open(facilitator=names[0])
    return bot, integrations, people


async def test_slash_commands_start_and_join_like_typed_ones_and_post_nothing_of_theirs(
    mattermost, tmp_path
):
    """`/atelier démarrer` and `/atelier rejoindre` act as typed; the person posts nothing."""
    bot, integrations, people = await _open(mattermost, tmp_path)
    try:
        await people.slash("camille", "démarrer")
        await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
        await people.slash("alice", "rejoindre")
        await heard(people, "Alice")
        state = await people.state()
        assert state is not None and people.ids["alice"] in state.participants
        assert state.facilitator == people.ids["camille"]
        assert mattermost.posts_by(people.ids["camille"]) == []
        assert mattermost.posts_by(people.ids["alice"]) == []
        # the acknowledgement (✅ on a typed command) comes to her alone, once it is kept
        await until(
            "Alice's acknowledgement",
            lambda: ":white_check_mark:" in integrations.ephemeral_to(people.ids["alice"]),
        )
        assert all(seconds < 3.0 for _, _, seconds in integrations.calls)
    finally:
        await bot.stop()


async def test_slash_command_in_the_private_conversation_is_a_private_message(mattermost, tmp_path):
    """The facilitator's `/atelier suivant` in their conversation with the bot steers."""
    bot, _, people = await _open(mattermost, tmp_path)
    try:
        await people.slash("camille", "démarrer")
        await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
        await people.slash_privately("camille", "suivant")
        await until(
            "the presentation",
            lambda: (
                (s := bot.runtime.states.get(people.room)) is not None
                and s.kind is StepKind.PRESENTATION
            ),
        )
        await heard(people, "C'est fait", to="camille")
    finally:
        await bot.stop()


async def test_slash_command_with_a_wrong_token_is_refused_and_changes_nothing(
    mattermost, tmp_path
):
    """A request without the command's token gets 401; through the server, an error."""
    bot, integrations, people = await _open(mattermost, tmp_path)
    try:
        url = bot.config.mattermost.public_url + COMMAND_PATH
        form = {
            "token": "forged",
            "user_id": people.ids["alice"],
            "channel_id": people.channel,
            "channel_name": "atelier",
            "text": "démarrer",
            "trigger_id": "x",
        }
        async with aiohttp.ClientSession() as session, session.post(url, data=form) as answer:
            assert answer.status == 401
        command = next(iter(integrations.commands.values()))
        command["token"] = "another"  # regenerated on the server, not in the bot's config
        with pytest.raises(requests.HTTPError, match="500"):
            await people.slash("alice", "démarrer")
        assert bot.runtime.states.get(people.room) is None
        integrations.forgive_undocumented()
    finally:
        await bot.stop()


async def test_a_40_kb_slash_text_is_refused_kindly_and_privately(mattermost, tmp_path):
    """Over the input limit: an ephemeral word to its author, nothing kept, nothing posted."""
    bot, integrations, people = await _open(mattermost, tmp_path)
    try:
        await people.slash("camille", "démarrer")
        await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
        await people.slash("alice", "règle " + "é" * 40_000)
        assert any("trop long" in text for text in integrations.ephemeral_to(people.ids["alice"]))
        state = await people.state()
        assert state is not None and state.rules == []
        assert not any("é" * 100 in text for text in texts(people))  # not posted back either
    finally:
        await bot.stop()


async def test_names_with_accents_and_emoji_come_from_the_user_id_mattermost_gives(
    mattermost, tmp_path
):
    """Zoé 🌻 joins by `/atelier rejoindre`: the bot names her as her profile says."""
    bot, _, people = await _open(mattermost, tmp_path, names=("camille", "zoe"))
    try:
        mattermost.users[people.ids["zoe"]]["first_name"] = "Zoé 🌻"
        await people.slash("camille", "démarrer")
        await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
        await people.slash("zoe", "rejoindre")
        await heard(people, "Zoé 🌻")
        assert not any("zoe" in text for text in texts(people))
    finally:
        await bot.stop()


async def test_setup_registers_the_command_once_and_updates_it_when_run_again(mattermost, tmp_path):
    """A second `mattermost-setup` keeps one command, and its token."""
    integrations = install(mattermost)
    config = bot_config(
        mattermost, tmp_path, 60, listen="127.0.0.1:9", public_url="http://bot.example:9"
    )
    bot_id = next(u["id"] for u in mattermost.users.values() if u["username"] == BOT_USERNAME)
    integrations.team_admins.add(bot_id)
    first: list[str] = []
    again: list[str] = []
    assert await asyncio.to_thread(register, config.mattermost, first.append) == 0
    assert await asyncio.to_thread(register, config.mattermost, again.append) == 0
    assert len(integrations.commands) == 1 and first[-1] == again[-1]
    command = next(iter(integrations.commands.values()))
    assert command["url"] == "http://bot.example:9/mattermost/command"
    assert command["trigger"] == "atelier" and command["method"] == "P"


async def test_setup_without_the_right_prints_the_administrators_steps(mattermost, tmp_path):
    """A bot account that may not manage commands gets the admin's steps, SiteURL first."""
    install(mattermost)
    config = bot_config(
        mattermost, tmp_path, 60, listen="127.0.0.1:9", public_url="http://10.0.0.5:9"
    )
    said: list[str] = []
    assert await asyncio.to_thread(register, config.mattermost, said.append) == 1
    steps = "\n".join(said)
    assert "SiteURL" in steps and "AllowedUntrustedInternalConnections" in steps
    assert "http://10.0.0.5:9/mattermost/command" in steps


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ('listen = "127.0.0.1:8066"\n', "give both `listen`"),
        ('public_url = "http://10.0.0.5:8066"\n', "give both `listen`"),
        ('listen = "8066"\npublic_url = "http://10.0.0.5:8066"\n', "`listen` must be host:port"),
        ('listen = "127.0.0.1:8066"\npublic_url = "10.0.0.5"\n', "[mattermost] public_url"),
    ],
)
def test_check_config_says_what_is_wrong_with_the_endpoint(tmp_path, keys, expected):
    """The endpoint's keys go together, and each is checked."""
    path = tmp_path / "config.toml"
    path.write_text(f'[mattermost]\nurl = "https://chat.example.org"\ntoken = "t"\n{keys}')
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert expected in str(error.value)


async def test_slash_command_in_someone_else_s_private_conversation_is_pointed_back(
    mattermost, tmp_path
):
    """Between two people, `/atelier` is answered to its author alone: where it works."""
    bot, integrations, people = await _open(mattermost, tmp_path)
    try:
        driver = people.drivers["alice"]
        pair = [people.ids["alice"], people.ids["bruno"]]
        channel = await asyncio.to_thread(driver.channels.create_direct_message_channel, pair)
        await people.slash("alice", "démarrer", str(channel["id"]))
        shown = integrations.ephemeral_to(people.ids["alice"])
        assert any("dans le salon de l'atelier" in text for text in shown)
        assert bot.runtime.states == {}
    finally:
        await bot.stop()


async def test_a_port_already_taken_is_said_as_a_configuration_error(mattermost, tmp_path):
    """Two bots on one `listen`: the second says which key is wrong."""
    from adapters.mattermost import MattermostLoginError

    bot, _, _ = await _open(mattermost, tmp_path)
    try:
        second = MattermostBot(
            bot.config.model_copy(
                update={
                    "storage": bot.config.storage.model_copy(update={"path": tmp_path / "b.db"})
                }
            )
        )
        with pytest.raises(MattermostLoginError, match=r"\[mattermost\] listen"):
            await second.start()
        await second.stop()
    finally:
        await bot.stop()


async def test_slash_command_in_a_thread_is_answered_in_that_thread(mattermost, tmp_path):
    """`/atelier état` run from a thread: the answer is a reply in that thread."""
    bot, _, people = await _open(mattermost, tmp_path)
    try:
        await people.slash("camille", "démarrer")
        await until("the atelier", lambda: bot.runtime.states.get(people.room) is not None)
        root = await people.say("alice", "Une question sur l'atelier")
        options = {
            "channel_id": people.channel,
            "command": "/atelier état",
            "root_id": root,
        }
        await asyncio.to_thread(people.drivers["bruno"].commands.execute_command, options)

        def replies() -> list[dict[str, object]]:
            return [p for p in mattermost.posts_by(people.bot_id) if p["root_id"] == root]

        await until("the answer in the thread", lambda: bool(replies()))
    finally:
        await bot.stop()


def test_check_config_warns_that_slash_commands_wait_for_their_token(tmp_path, capsys):
    """An endpoint without command_token: valid, and check-config says what is missing."""
    from bot.cli import main

    path = tmp_path / "config.toml"
    path.write_text(
        '[mattermost]\nurl = "https://chat.example.org"\ntoken = "t"\n'
        'listen = "127.0.0.1:8066"\npublic_url = "http://10.0.0.5:8066"\n'
    )
    assert main(["check-config", str(path)]) == 0
    assert "command_token is not set" in capsys.readouterr().err


async def test_a_slash_command_answered_just_before_a_stop_is_handled_after_restart_once(
    mattermost, tmp_path
):
    """Mattermost never sends a command again: once the bot has said it took it, the command
    is kept; the bot stopping before handing it over loses nothing, and doubles nothing."""
    bot, _, people = await _open(mattermost, tmp_path)
    held = asyncio.Event()

    async def stopped_before_handing_over(inbound: object) -> None:
        await held.wait()

    bot.adapter.integrations.emit = stopped_before_handing_over
    try:
        await people.slash("camille", "démarrer")
    finally:
        await bot.stop()
    assert not [t for t in texts(people) if "Accueil" in t]
    again = await MattermostBot(bot.config).start()
    try:
        await until("the atelier", lambda: again.runtime.states.get(people.room) is not None)
        await heard(people, "Accueil")
        await people.slash("alice", "rejoindre")
        await heard(people, "Alice")
    finally:
        await again.stop()
    assert len([t for t in texts(people) if "Accueil" in t]) == 1
    restarted = await MattermostBot(bot.config).start()  # the journal was emptied: no replay
    await restarted.stop()
    assert len([t for t in texts(people) if "Accueil" in t]) == 1
