"""Every command the texts show works where the reader will type it (issue 11, point 1).

An example is what a text puts between backticks or « » and that starts with the prefix or a
command word. Shown in a text that may be posted in the room, it carries the prefix, or is a
word the room understands without it (``bot/bare_words.py``: ``fini`` alone, ``garder 2 5``);
shown only privately, it works typed as is in a private message. Either way the parser must
recognise the very command the example names, never an unknown word.
"""

import re
from pathlib import Path

import pytest

from bot.bare_words import ALONE, LEADING
from bot.commands import COMMANDS, Command, normalize, parse, spec
from bot.texts import catalogue

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "!atelier"
#: a command word, in any language: the parser's own table
WORDS = {word for command in COMMANDS for word in (command.name, *command.aliases)}
#: placeholders that stand inside an example, filled as the code fills them
FILLED = {
    "first": "3",
    "minutes": "5",
    "number": "2",
    "choice": "6",
    "search": "4",
    "command": "prolonger",
    "suggestion": "suivant",
}
#: texts the code posts in the room (or answers where the command was typed)
ROOM_CALL = re.compile(
    r'\b(?:say|say_text|answer)\(\s*(?:[^()"]*?,\s*)?"([a-z_]+\.[a-z_.]+)"', re.S
)


def _room_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*(ROOT / "bot").glob("*.py"), *(ROOT / "bot" / "steps").glob("*.py")]:
        keys |= set(ROOM_CALL.findall(path.read_text(encoding="utf-8")))
    return keys


ROOM_KEYS = _room_keys()
#: the step's message, posted in the room (``announce``), and the step list of the presentation
ROOM_FAMILIES = ("howto.", "step.", "presentation.")


def _in_room(key: str) -> bool:
    return key in ROOM_KEYS or key.startswith(ROOM_FAMILIES)


def _examples(text: str) -> list[str]:
    quoted = re.findall(r"`([^`]+)`", text) + re.findall(r"«\s*([^»]+?)\s*»", text)
    found = []
    for example in quoted:
        example = example.strip()
        if example.replace(" ", "") in ("{prefix}", ""):
            continue  # "sans `{prefix}` devant": the prefix itself, not a command
        first = normalize(example.removeprefix("{prefix}").split(" ", 1)[0] or " ")
        if example.startswith("{prefix}") or first.rstrip(":,.!") in WORDS:
            found.append(example)
    return found


def _fill(example: str, key: str) -> str:
    for name, value in FILLED.items():
        example = example.replace("{" + name + "}", value)
    if key.startswith("help."):  # help lines get "!atelier " in the room, "" privately
        return example.replace("{prefix}", PREFIX + " ")
    return example.replace("{prefix}", PREFIX)


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for lang in ("fr", "en"):
        for key, text in catalogue(lang).items():
            cases.extend((lang, key, example) for example in _examples(text))
    return cases


CASES = _cases()


def test_the_catalogues_hold_many_examples_in_both_places():
    prefixed = [c for c in CASES if c[2].startswith("{prefix}")]
    bare = [c for c in CASES if not c[2].startswith("{prefix}")]
    assert len(prefixed) > 60 and len(bare) > 30


@pytest.mark.parametrize(("lang", "key", "example"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_every_example_is_the_command_it_names_where_it_is_typed(lang, key, example):
    typed = _fill(example, key)
    word = normalize(typed.removeprefix(PREFIX).split()[0]).rstrip(":,.!")
    if typed.startswith(PREFIX):
        parsed = parse(typed, PREFIX, direct=False)  # in the room; the same works privately
        assert isinstance(parsed, Command), typed
        assert parse(typed, PREFIX, direct=True) == parsed
        assert parsed.spec is spec(word if word in WORDS else "help"), typed
        return
    parsed = parse(typed, PREFIX, direct=True)  # privately, as is
    assert isinstance(parsed, Command), typed
    assert parsed.spec is spec(word), typed
    if _in_room(key):
        # read in the room, typed in the room: only the words it understands without prefix
        alone = parsed.name in ALONE and not parsed.args
        leading = parsed.name in LEADING and bool(parsed.args)
        assert alone or leading, f"{key}: `{example}` needs {{prefix}} in a room text"
