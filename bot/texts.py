"""Every sentence the bot says, by key, in French and English catalogues (``bot/data/texts``).

Texts are light Markdown with named placeholders (``{name}``). ``render`` never fails on a
missing catalogue entry: it falls back to French, then to the key itself, so a gap is visible
but never crashes an atelier (a test keeps both catalogues complete and aligned).
"""

import string
import tomllib
from functools import cache
from importlib import resources

__all__ = ["LANGUAGES", "catalogue", "placeholders", "render"]

LANGUAGES = ("fr", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The texts of one language, flattened to dotted keys (``"step.choice"``)."""
    source = resources.files("bot") / "data" / "texts" / f"{lang}.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
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
    texts = catalogue(lang if lang in LANGUAGES else "fr")
    template = texts.get(key) or catalogue("fr").get(key) or key
    return template.format_map(_Lenient(params))
