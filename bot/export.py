"""A shared record as files (issue 16 §4): a Markdown file and a self-contained HTML page.

Both are made from the record's body (the bot's light Markdown, with people's words marked by
``bot.markup``). People's words are data in both: backslash-escaped in the Markdown (every
ASCII punctuation sign, so nothing they wrote becomes a title, a list, a link or HTML), and
HTML-escaped in the page, their line breaks kept inside the bot's block. The page needs
nothing from outside (its style is inline), declares its language, and reads on a phone.
Pure functions: the engine attaches the files to ``PostFile`` effects, the adapters upload them.
"""

import html
import re
import string

from bot.markup import SLOT, lines, skeleton, spans

__all__ = ["html_page", "markdown_file"]

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?![\w*])")

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;"
    "max-width:42rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff;"
    "overflow-wrap:anywhere}h1{font-size:1.4rem}ul{padding-left:1.2rem}"
    "blockquote{margin:0 0 0 .5rem;padding-left:.75rem;border-left:3px solid #bbb;color:#444}"
    "code{background:#f2f2f2;padding:0 .2rem;border-radius:3px}"
    "@media (prefers-color-scheme:dark){body{color:#eee;background:#121212}"
    "code{background:#2a2a2a}blockquote{color:#ccc}}"
)


def markdown_file(title: str, body: str) -> str:
    """The record as a Markdown document: a title, then the bot's text with people's words
    escaped (their line breaks kept as hard breaks)."""
    out: list[str] = []
    for is_user, text in spans(body):
        if is_user:
            out.append("  \n".join(_PUNCTUATION.sub(r"\\\1", line) for line in lines(text)))
        else:
            out.append(text)
    text = "".join(out).strip() + "\n"
    if text.startswith("#"):
        return text  # the record has its own title
    return "# " + _PUNCTUATION.sub(r"\\\1", " ".join(lines(title))) + "\n\n" + text


def html_page(title: str, body: str, lang: str) -> str:
    """The record as one HTML page, readable offline and on a phone."""
    frame, words = skeleton(body)
    blocks: list[str] = []
    items: list[str] = []
    for raw in frame.split("\n"):
        line = raw.strip()
        if line.startswith("- "):
            items.append(f"<li>{_inline(line[2:], words)}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if not line:
            continue
        if line.startswith("> "):
            blocks.append(f"<blockquote>{_inline(line[2:], words)}</blockquote>")
        elif line.startswith("#"):
            level = 1 if not line.startswith("##") else 2
            blocks.append(f"<h{level}>{_inline(line.lstrip('#').strip(), words)}</h{level}>")
        else:
            blocks.append(f"<p>{_inline(line, words)}</p>")
    if items:
        blocks.append("<ul>" + "".join(items) + "</ul>")
    shown = html.escape(" ".join(lines(title)))
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{shown}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + ("" if frame.lstrip().startswith("#") else f"<h1>{shown}</h1>\n")
        + "\n".join(blocks)
        + "\n</body>\n</html>\n"
    )


def _inline(line: str, words: list[str]) -> str:
    """The bot's `code`, **bold** and _italics_ as tags; people's words escaped, as written."""
    out = html.escape(line, quote=False)
    out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    out = _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", out)
    out = _ITALIC.sub(lambda m: f"<em>{m.group(1)}</em>", out)
    return SLOT.sub(
        lambda m: "<br>".join(html.escape(part) for part in lines(words[int(m.group(1))])), out
    )
