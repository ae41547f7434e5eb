"""Matrix, on the real Synapse: what the bot sends of people's words is escaped HTML and plain
lines, pings nobody (``@room`` included), and ``m.mentions`` names exactly who is pinged."""

import html
import re

from markup_kit import CORPUS, HOSTILE_NAME, WORD_JOINER, as_lines
from matrix_kit import heard, setup
from nio import RoomGetEventResponse
from people_kit import until

from bot.scenario import Heard

_TAGS = re.compile(r"<\s*(\w+)")
_ROOM_PING = re.compile(r"(^|\W)@room(\W|$)")
UNKNOWN = "!atelier @room![x](http://evil.example/y.png)"


def _shown(formatted: str) -> str:
    return html.unescape(formatted.replace("<br>", "\n")).replace(WORD_JOINER, "")


async def test_hostile_words_and_names_are_sent_as_text_and_ping_nobody_on_matrix(
    synapse, tmp_path
):
    """A name like ``@channel ![a](…)``, a 2,000-character hostile rule and problem, and an
    unknown command come back as escaped text; the only ping is the bot's own mention."""
    s = await setup(synapse, tmp_path, ["camille", "alice", "bruno"], spm=60)
    people = s.people
    try:
        room = await people.open(facilitator="camille", bot_power=50)
        await people.clients["alice"].set_displayname(HOSTILE_NAME)
        await people.say("camille", "!atelier démarrer")
        await people.say("alice", "!atelier rejoindre")
        await people.say("bruno", "!atelier rejoindre")
        await heard(people, "Bienvenue Bruno")
        await people.say("alice", UNKNOWN)
        await heard(people, "Je n'ai pas compris")
        await people.dm("camille", "aller 3")
        await heard(people, "Étape 3/18")
        await people.say("alice", CORPUS)

        async def rule_noted() -> bool:
            state = await s.bot.state(room)
            return state is not None and len(state.rules) == 1

        await until("the rule to be noted", rule_noted)
        await people.dm("camille", "suivant")
        await heard(people, "Nos règles du jeu")
        await people.dm("alice", CORPUS[:3900])
        await heard(people, "votre problématique est notée", to="alice")

        contents: dict[str, dict[str, object]] = {}
        reader = people.clients["camille"]
        for h in people.heard:
            client = reader if h.to is None else people.clients[h.to]
            answer = await client.room_get_event(h.room, h.event_id)
            assert isinstance(answer, RoomGetEventResponse)
            contents[h.event_id] = answer.event.source["content"]
    finally:
        await s.close()

    alice = people.user_id("alice")
    for h in people.heard:
        content = contents[h.event_id]
        body, formatted = str(content["body"]), str(content["formatted_body"])
        assert not _ROOM_PING.search(body + html.unescape(formatted)), body[:200]
        assert not re.search(r"@\w", body), body[:200]
        assert not set(_TAGS.findall(formatted)) & {"a", "img", "table", "pre"}, formatted[:300]
        assert content["m.mentions"] == {"user_ids": list(h.mentions)}

    def tags(h: Heard) -> set[str]:
        return set(_TAGS.findall(str(contents[h.event_id]["formatted_body"])))

    welcome = next(h for h in people.heard if h.to is None and "channel" in h.text)
    assert tags(welcome) <= {"strong"}
    assert contents[welcome.event_id]["m.mentions"] == {"user_ids": []}
    assert "Bienvenue " + HOSTILE_NAME.replace("@", "@" + WORD_JOINER) in welcome.text

    unknown = next(h for h in people.heard if h.to is None and "Je n'ai pas compris" in h.text)
    assert contents[unknown.event_id]["m.mentions"] == {"user_ids": [alice]}
    assert tags(unknown) <= {"code"}

    rules = next(h for h in people.heard if h.to is None and "Nos règles du jeu" in h.text)
    assert as_lines(CORPUS).strip() in _shown(str(rules.formatted))
    assert contents[rules.event_id]["m.mentions"] == {"user_ids": []}
    assert tags(rules) <= {"strong", "br"}

    problem = next(h for h in people.heard if h.to == "alice" and "notée" in h.text)
    assert as_lines(CORPUS[:3900]).strip() in _shown(str(problem.formatted))
    assert tags(problem) <= {"br"}
