"""Every sentence the bot says, by key, in French and English catalogues (``bot/data/texts``).

Texts are light Markdown with named placeholders (``{name}``). ``render`` never fails on a
missing catalogue entry: it falls back to French, then to the key itself, so a gap is visible
but never crashes an atelier (a test keeps both catalogues complete and aligned).

An administrator may reword any text without touching the installed package: ``[bot] texts_dir``
names a folder holding ``fr.toml`` and/or ``en.toml`` with only the keys to change. They are
checked at start-up (known keys, the same placeholders) by ``use_texts_dir``.

User text is data, never markup: every parameter is taken for user text (people's words,
names, room names, what they typed) and marked as such (``bot.markup.user``), except the ones
named in ``BOT_PARAMS``, which the bot makes itself (numbers, times, titles, its own words and
lists of them). A new parameter is therefore safe by default; naming it in ``BOT_PARAMS`` is a
decision that its value never holds unmarked user text.
"""

import string
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from bot.markup import user

__all__ = [
    "BOT_PARAMS",
    "LANGUAGES",
    "TextsError",
    "catalogue",
    "one_line",
    "placeholders",
    "render",
    "use_texts_dir",
]

LANGUAGES = ("fr", "en")


class TextsError(Exception):
    """An administrator's text file that would break messages: said at start-up, with where."""


#: parameters whose values the bot makes itself: inserted as markup. Any other parameter is
#: user text, shown as plain text on every platform. A value named here may hold user text
#: only already marked (a nested ``render``, ``bot.markup.user``).
BOT_PARAMS = frozenset(
    {
        "average",  # a number the bot computes
        "command",  # a command word, as the bot spells it
        "count",
        "date",
        "days",  # a number of days
        "first",
        "formats",  # the installation's format ids
        "kind",  # the bot's name for a kind of input
        "length",
        "lines",  # lines the bot built with ctx.t, each user part marked there
        "left",
        "max",
        "min",
        "mine",  # the bot's list of someone's votes (numbers)
        "minutes",
        "most",
        "now",  # a step title
        "number",
        "numbers",  # the bot's list of numbers
        "outcome",  # a text of the bot's
        "parts",  # the feelings summary's parts (words marked by bot.feelings)
        "planned",
        "position",
        "prefix",  # the configured command prefix
        "proposal",  # a text of the bot's
        "records",  # a number
        "step",  # a step title
        "step_end",
        "steps",  # step titles, the plan's lines
        "suggestion",  # a command word the bot suggests
        "time_left",  # a text of the bot's
        "title",  # a step or format title
        "tied",  # the bot's list of numbers
        "total",
        "votes",
    }
)

#: the administrator's rewordings, by language (``use_texts_dir``)
_overrides: dict[str, dict[str, str]] = {}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The texts of one language, flattened to dotted keys (``"step.choice"``)."""
    source = resources.files("bot") / "data" / "texts" / f"{lang}.toml"
    return _flatten(tomllib.loads(source.read_text(encoding="utf-8")))


def use_texts_dir(folder: Path | None) -> None:
    """Take the administrator's rewordings from ``folder`` (None: the shipped texts only)."""
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        path = folder / f"{lang}.toml" if folder is not None else None
        if path is not None and path.is_file():
            found[lang] = _checked_rewording(path, catalogue(lang))
    _overrides.clear()
    _overrides.update(found)


def _checked_rewording(path: Path, shipped: dict[str, str]) -> dict[str, str]:
    try:
        texts = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TextsError(f"{path}: cannot be read as TOML ({exc})") from exc
    for key, text in texts.items():
        if key not in shipped:
            raise TextsError(f"{path}: no text is called {key!r}")
        unknown = placeholders(text) - placeholders(shipped[key])
        if unknown:
            known = _braced(placeholders(shipped[key]))
            raise TextsError(
                f"{path}: {key!r} uses {_braced(unknown)}, unknown here"
                f" (it may use: {known or 'no placeholder'})"
            )
    return texts


def _braced(names: set[str]) -> str:
    return ", ".join("{" + name + "}" for name in sorted(names))


def _flatten(data: dict[str, object]) -> dict[str, str]:
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, object]) -> None:
        for key, value in node.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(f"{dotted}.", value)
            else:
                flat[dotted] = str(value)

    walk("", data)
    return flat


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(lang: str, key: str, **params: object) -> str:
    lang = lang if lang in LANGUAGES else "fr"
    template = (
        _overrides.get(lang, {}).get(key)
        or catalogue(lang).get(key)
        or catalogue("fr").get(key)
        or key
    )
    values = {name: value if name in BOT_PARAMS else user(value) for name, value in params.items()}
    return template.format_map(_Lenient(values))


def one_line(text: str, most: int) -> str:
    """``text`` on one line, cut to ``most`` characters with "…" (a glance at people's words)."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "…"
