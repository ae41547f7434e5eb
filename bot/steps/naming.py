"""Finding a step from what the facilitator typed: ``aller 9``, ``goto harvest``, ``aller règles``.

A step is named by its number, its id in the format, its kind, or its title in French or
English — whole (``aller plan d'action``) or by words that start its title's words and fit
one step only (``aller échanges``, ``aller trace``). Accents and case do not matter.
"""

import re

from bot.commands import normalize
from bot.state import AtelierState
from bot.texts import render

__all__ = ["find_step"]

LANGUAGES = ("fr", "en")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", normalize(text)) if w]


def find_step(s: AtelierState, target: str) -> int | None:
    """The index of the step ``target`` names, or None (unknown, or more than one fits)."""
    wanted = normalize(target)
    if wanted.isdigit():
        index = int(wanted) - 1
        return index if 0 <= index < len(s.format.steps) else None
    words = _words(target)
    if not words:
        return None
    names: list[list[list[str]]] = []
    for index, step in enumerate(s.format.steps):
        titles = [render(lang, f"step.{step.kind}") for lang in LANGUAGES]
        forms = [_words(name) for name in (step.id, step.kind.value, *titles)]
        if words in forms:
            return index
        names.append(forms)
    fitting = {
        index
        for index, forms in enumerate(names)
        if any(_starts_words(form, words) for form in forms)
    }
    return fitting.pop() if len(fitting) == 1 else None


def _starts_words(title: list[str], words: list[str]) -> bool:
    """Each typed word starts a word of the title, in order (``plan`` fits ``plan d action``)."""
    position = 0
    for word in words:
        while position < len(title) and not title[position].startswith(word):
            position += 1
        if position == len(title):
            return False
        position += 1
    return True
