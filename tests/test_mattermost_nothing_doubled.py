"""Mattermost: a post the server made but whose answer was lost is not posted twice, even when
the retry comes after the server forgot its ``pending_post_id`` (30 seconds, app/post.go
``pendingPostIDsCacheTTL``) (issue 12 §2)."""

from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from mattermost_server import PENDING_POST_TTL
from people_kit import heard, texts, until


async def test_a_post_whose_answer_was_lost_is_not_posted_again_after_30_seconds(
    mattermost, tmp_path
):
    """The proxy answers 504 to the bot's welcome of Alice, which the server made; its answer
    came 31 s late, so the server no longer knows the ``pending_post_id``. The bot saw its own
    post on the websocket: its retry posts nothing more."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(mattermost, ["camille", "alice"], refs=bot.refs, state=bot.state)
    room = await people.open(facilitator="camille")
    try:
        await people.say("camille", "!atelier démarrer")
        await heard(people, "Bienvenue")
        mattermost.gateway_timeouts[people.bot_id] = 1
        mattermost.late = PENDING_POST_TTL + 1
        await people.say("alice", "!atelier rejoindre")
        await heard(people, "Bienvenue Alice")

        async def delivered() -> bool:
            return mattermost.gateway_timeouts[people.bot_id] == 0 and not await bot.store.pending(
                room
            )

        await until("the welcome to be delivered", delivered)
        await people.say("alice", "!atelier état")  # the room's next answer comes after it
        await heard(people, "fin annoncée")
    finally:
        await bot.stop()
    assert sum("Bienvenue Alice" in t for t in texts(people)) == 1
