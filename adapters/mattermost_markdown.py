"""A body → the message Mattermost posts: the bot's Markdown as it is, people's words as text.

The bot's light Markdown is Mattermost Markdown already. The spans of user text that
``bot.markup`` marks are made inert for Mattermost's renderers (the web app's fork of
*marked*, the mobile app's *commonmark.js*) and for the server, which reads mentions and link
previews from the message, while changing as few characters as possible (a reader sees what
the person wrote):

- inline markup: ``* _ ` [ ] |`` are backslash-escaped everywhere (no emphasis, code, link,
  image, table cell), and so is a ``.`` between two letters or digits (``www.``, ``site.org/``
  are not turned into links); a backslash is doubled and followed by a word joiner, so it
  stays one backslash whatever follows (the web app leaves ``\\\\`` before a letter as two).
  These are all in the set the web app unescapes (mattermost/marked ``inline.escape``), which
  CommonMark's set contains;
- what cannot be escaped is followed by a WORD JOINER (U+2060, invisible): after ``@`` the
  server sees no ``@channel``, ``@all``, ``@here`` or ``@someone`` (its mention parser splits
  words on it, ``mention_parser_standard.go``) and the web app no mention to highlight; after
  ``~`` no channel link nor strike-through; after ``&`` no character reference (``&#64;``);
  after ``<`` no HTML nor ``<http://…>`` link; after the colon of ``scheme:`` followed by ``/``
  or a letter, no ``http://`` or ``mailto:`` link (so no preview is fetched either);
- blocks: a line of user text that could open one (indentation, ``- + * = # > : |``, ``1.``,
  ``1)``) starts with a word joiner, so it never becomes a list, title, underline, quote,
  table, code block or rule (fences are already escaped); every line after the first has two
  spaces before it, so that it stays in the bot's list item or quote; blank lines are dropped
  (a paragraph break would end the bot's list or quote); every kind of line break is one, and
  explicit bidirectional controls are dropped (they could reorder the bot's words).

What is left as typed, knowingly: ``<x@y.org>`` may still be a mailto: link in the web app
(it loads nothing), ``$…$`` (inline LaTeX, where the server enables it, only
changes how the text looks), ``#word`` (a link to a search of the team's own messages) and a
word that someone chose as their own mention keyword.
"""

import re

from bot.markup import lines, spans

__all__ = ["WORD_JOINER", "escape_text", "to_mattermost"]

WORD_JOINER = "\u2060"

#: escaped everywhere: inline markup, and a dot inside a word (a domain name)
_ESCAPED = re.compile(r"[*_`\[\]|]|(?<=\w)\.(?=\w)")
#: followed by a word joiner: they cannot be escaped
_JOINED = re.compile(r"[@~&<]|(?<=[A-Za-z0-9.+-]):(?=[/\w%])")
#: a line starting so could open a block
_OPENS_BLOCK = re.compile(r"\s|[-+*=#>:|]|[0-9]+[.)]")


def _escape_line(line: str) -> str:
    out: list[str] = []
    for index, char in enumerate(line):
        if char == "\\":
            out.append("\\\\" + WORD_JOINER)
            continue
        out.append("\\" + char if _ESCAPED.match(line, index) else char)
        if _JOINED.match(line, index):
            out.append(WORD_JOINER)
    escaped = "".join(out)
    return WORD_JOINER + escaped if _OPENS_BLOCK.match(line) else escaped


def escape_text(text: str) -> str:
    """One person's words as Mattermost text that renders as they wrote it, and only that."""
    kept = [line.rstrip() for line in lines(text) if line.strip()]
    return "\n  ".join(_escape_line(line) for line in kept)


def to_mattermost(body: str) -> str:
    """The message to post for a body: the bot's Markdown, the user spans made inert."""
    return "".join(escape_text(text) if is_user else text for is_user, text in spans(body))
