"""Mattermost: what the bot posts of people's words notifies nobody, loads nothing, breaks
nothing — checked on the posts the test server stores, sent by the real adapter."""

import re

from markup_kit import (
    CORPUS,
    HOSTILE_NAME,
    as_written,
    mattermost_blocks,
    mattermost_links,
    mattermost_mentions,
    mattermost_shown,
)
from mattermost_kit import MattermostBot, MattermostPeople, bot_config
from people_kit import heard, until

#: the bot's own mentions: the people it names first, so that they are notified
_BOTS_MENTIONS = re.compile(r"^(?:@[a-z0-9._-]+ )+")


def _inline_of(message: str) -> set[str]:
    """Links, images, code… in a message, the bot's own bold, italics and code aside."""
    bots = r"\*\*[^*\n]+\*\*|_[^_\n]+_$|(?<!\\)`[^`\n]+`"
    return mattermost_links(re.sub(bots, "", message, flags=re.M))


async def test_hostile_words_and_names_are_posted_as_plain_text_on_mattermost(mattermost, tmp_path):
    """A name like ``@channel ![a](…)`` and a 2,000-character hostile rule and problem come out
    as text: no mention but the bot's own, no image, link, title, list, quote, table or fence."""
    bot = await MattermostBot(bot_config(mattermost, tmp_path, spm=60)).start()
    people = MattermostPeople(
        mattermost, ["camille", "alice", "bruno"], refs=bot.refs, state=bot.state
    )
    try:
        room = await people.open(facilitator="camille")
        mattermost.users[people.user_id("alice")]["nickname"] = HOSTILE_NAME
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("bruno", "!atelier rejoindre")
        await heard(people, "Bienvenue Bruno")
        await people.say("alice", "!atelier @channel![x](http://evil.example/y.png)")
        await heard(people, "Je n'ai pas compris")
        await people.dm("camille", "aller 3")
        await heard(people, "Étape 3/18")
        await people.say("alice", CORPUS)

        async def rule_noted() -> bool:
            state = await bot.state(room)
            return state is not None and len(state.rules) == 1

        await until("the rule to be noted", rule_noted)
        await people.dm("camille", "suivant")
        await heard(people, "Nos règles du jeu")
        await people.dm("alice", CORPUS[:3900])
        await heard(people, "votre problématique est notée", to="alice")
    finally:
        await bot.stop()

    posts = mattermost.posts_by(people.bot_id)
    assert posts
    for post in posts:
        message = post["message"]
        own = _BOTS_MENTIONS.match(message)
        rest = message[own.end() :] if own else message
        assert mattermost_mentions(rest) == set(), message[:200]
        assert _inline_of(rest) == set(), message[:200]

    welcome = next(p["message"] for p in posts if "channel" in p["message"])
    assert mattermost_shown(welcome).startswith("Bienvenue ")
    assert as_written(HOSTILE_NAME) in mattermost_shown(welcome)
    assert "![" not in welcome and "**Léa**" not in welcome

    unknown = next(p["message"] for p in posts if "Je n'ai pas compris" in p["message"])
    assert unknown.startswith("@alice ")  # the bot's own mention, the only one
    assert mattermost_mentions(unknown) == {"@alice"}

    rules = next(p for p in posts if "Nos règles du jeu" in p["message"])
    assert rules["id"] in mattermost.pinned
    assert as_written(CORPUS) in mattermost_shown(rules["message"])
    assert mattermost_blocks(rules["message"]) == set()

    problem = next(p for p in posts if "votre problématique est notée" in p["message"])
    assert as_written(CORPUS[:3900]) in mattermost_shown(problem["message"])
    assert mattermost_blocks(problem["message"]) == set()
