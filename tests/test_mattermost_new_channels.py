"""Mattermost: channels where the bot has not yet seen a post are caught up too (issue 12 §2).

The bot is added to a private channel, and to a group message, while its websocket is down;
people write there meanwhile. At reconnection the catch-up lists the bot's channels (private
and group ones included) and reads them from the last moment it was known to be listening.
"""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import until

from adapters.mattermost_directory import PREFIX
from bot.events import MessagePosted


async def test_a_private_channel_and_a_group_message_the_bot_joined_while_down_are_caught_up(
    mattermost, tmp_path
):
    """Camille starts an atelier in a private channel the bot was added to while away: it is
    opened. Alice's command in a new group message gets the answer that ateliers happen in
    channels, once; no atelier there."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", "alice"], refs=bot.refs, state=bot.state)
    await people.open(facilitator="camille")
    camille, alice = people.user_id("camille"), people.user_id("alice")
    try:
        await bot.websocket_down(mattermost)
        secret = mattermost.add_channel("secret", [camille, alice, people.bot_id], private=True)
        group = mattermost.add_group([camille, alice, people.bot_id])
        await mattermost.post_as(camille, secret, "!atelier démarrer")
        await mattermost.post_as(alice, group.id, "!atelier démarrer")
        await bot.websocket_up(mattermost)

        def said_in(channel: str) -> list[str]:
            return [
                p["message"]
                for p in mattermost.posts_by(people.bot_id)
                if p["channel_id"] == channel
            ]

        await until("the atelier opened in the private channel", lambda: bool(said_in(secret)))
        await until("an answer in the group message", lambda: bool(said_in(group.id)))
        opened = await bot.state(PREFIX + secret)
        in_group = await bot.state(PREFIX + group.id)
    finally:
        await bot.stop()
    assert opened is not None and opened.facilitator == camille
    assert in_group is None and len(said_in(group.id)) == 1
    rooms = {e.room for e in bot.inbound if isinstance(e, MessagePosted)}
    assert rooms == {PREFIX + secret}
