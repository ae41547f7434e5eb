"""The bot's light Markdown → Matrix HTML (``formatted_body``) and plain text (``body``).

The catalogue texts use only **bold**, `code`, ``- `` list items, ``#`` titles, ``>`` quotes
and line breaks, so a small converter is enough and keeps the output predictable for every
Matrix client.

People's words inside a body (the spans ``bot.markup`` marks) are data, never markup: in the
HTML they are escaped and their line breaks become ``<br>`` inside the bot's block, never a
title, a list or a quote; in both bodies an ``@`` they wrote is followed by a word joiner, so
that ``@room`` or a user id in their text is never read as a mention by clients that still
look at the text (only ``m.mentions`` says who is pinged).
"""

import html
import re
from collections.abc import Callable

from bot.markup import SLOT, lines, skeleton

__all__ = ["to_html", "to_plain"]

WORD_JOINER = "\u2060"


def _fill(frame: str, users: list[str], show: Callable[[str], str]) -> str:
    return SLOT.sub(lambda m: show(users[int(m.group(1))]), frame)


def _words(text: str) -> list[str]:
    """A person's lines, with no ``@`` that a client could take for a mention."""
    return [line.replace("@", "@" + WORD_JOINER) for line in lines(text)]


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Escape, then turn `code` and **bold** into tags (code first: it keeps its stars)."""
    parts = _CODE.split(text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            out.append(_BOLD.sub(r"<strong>\1</strong>", html.escape(part)))
    return "".join(out)


def to_html(body: str) -> str:
    frame, users = skeleton(body)
    return _fill(
        _markup_to_html(frame), users, lambda text: "<br>".join(map(html.escape, _words(text)))
    )


def _markup_to_html(markdown: str) -> str:
    blocks: list[str] = []
    items: list[str] = []
    lines: list[str] = []

    def close_list() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    def close_lines() -> None:
        if lines:
            blocks.append("<br>".join(lines))
            lines.clear()

    for raw in markdown.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#"):
            close_list()
            close_lines()
            blocks.append(f"<h4>{_inline(stripped.lstrip('#').strip())}</h4>")
        elif stripped.startswith("> "):
            close_list()
            close_lines()
            blocks.append(f"<blockquote>{_inline(stripped[2:])}</blockquote>")
        elif stripped.startswith(("- ", "• ")):
            close_lines()
            items.append(_inline(stripped[2:]))
        elif not stripped:
            close_list()
            close_lines()
            blocks.append("")
        else:
            close_list()
            lines.append(_inline(stripped))
    close_list()
    close_lines()
    out = ""
    for block in blocks:
        block_level = block.startswith(("<ul>", "<h4>", "<blockquote>"))
        if out and not block_level and not out.endswith(("</ul>", "</h4>", "</blockquote>")):
            out += "<br>"
        out += block
    return out


def to_plain(body: str) -> str:
    """What clients without HTML show: the same text without the bot's stars."""
    frame, users = skeleton(body)
    return _fill(_BOLD.sub(r"\1", frame), users, lambda text: "\n".join(_words(text)))
