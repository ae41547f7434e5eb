"""The bot's light Markdown → Matrix HTML (``formatted_body``) and plain text (``body``).

The catalogue texts use only **bold**, `code`, ``- `` list items, ``#`` titles, ``>`` quotes
and line breaks, so a small converter is enough and keeps the output predictable for every
Matrix client.
"""

import html
import re

__all__ = ["to_html", "to_plain"]

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


def to_html(markdown: str) -> str:
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


def to_plain(markdown: str) -> str:
    """What clients without HTML show: the same text without the stars."""
    return _BOLD.sub(r"\1", markdown)
