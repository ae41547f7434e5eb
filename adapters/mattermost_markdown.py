"""A body → the message Mattermost posts: the bot's Markdown as it is, people's words as text.

The bot's light Markdown is Mattermost Markdown already. The spans of user text that
``bot.markup`` marks are made inert for Mattermost's renderers (the web app's fork of
*marked*, the mobile app's *commonmark.js*) and for the server, which reads mentions and link
previews from the message:

- the characters the web app's renderer lets a backslash escape
  (``\\ ` * _ { } [ ] ( ) # + - . ! > | ~``) are escaped, so no emphasis, code, link, image,
  strike-through, table cell or hashtag comes from user text, and ``www.`` and ``site.org/`` are
  not turned into links; a backslash is doubled and followed by a word joiner, so it stays a
  backslash whatever follows (the web app leaves ``\\\\`` before a letter as two backslashes);
- characters that cannot be escaped are followed by a WORD JOINER (U+2060, invisible): after
  ``@`` the server sees no ``@channel``, ``@all``, ``@here`` or ``@someone`` (its mention parser
  splits words on it, see ``mention_parser_standard.go``) and the web app no mention to
  highlight; after ``~`` no channel link; after ``&`` no character reference (``&#64;``); after
  ``<`` no HTML or ``<http://…>`` link; after the ``:`` of ``scheme:`` followed by ``/`` or a
  letter, no ``http://`` or ``mailto:`` link (so no preview is fetched either);
- so a line of user text never starts a title, list, quote, table, fence or rule; one that
  starts with a space (a code block) or ``=`` (an underlined title) starts with a word joiner;
  every line after the first has two spaces before it, so that it stays in the bot's list
  item or quote; blank lines are dropped (a
  paragraph break would end the bot's list or quote), every kind of line break is one, and
  explicit bidirectional controls are dropped (they could reorder the bot's words).

What is left as typed, knowingly: ``$…$`` (inline LaTeX, when the server enables it, only
changes how the text looks) and a word that someone chose as their own mention keyword.
"""

import re

from bot.markup import lines, spans

__all__ = ["WORD_JOINER", "escape_text", "to_mattermost"]

WORD_JOINER = "\u2060"

#: what the web app's renderer (mattermost/marked, ``inline.escape``) unescapes
_ESCAPABLE = frozenset("`*{}[]()#+-.!_>|~")
#: followed by a word joiner: they cannot be escaped there
_JOINED = frozenset("@~&<")
#: a URL scheme's colon: ``http:`` then ``/`` or a letter or digit (``mailto:x``, ``tel:12``)
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9.+-]):(?=[/\w%])")


def _escape_line(line: str) -> str:
    line = _SCHEME_COLON.sub(":" + WORD_JOINER, line)
    out: list[str] = []
    for char in line:
        if char == "\\":
            out.append("\\\\" + WORD_JOINER)
        elif char in _ESCAPABLE:
            out.append("\\" + char)
        else:
            out.append(char)
        if char in _JOINED:
            out.append(WORD_JOINER)
    escaped = "".join(out)
    # what escaping cannot stop at a line's start: indentation (code) and `===` (a title)
    return WORD_JOINER + escaped if escaped[:1].isspace() or escaped[:1] == "=" else escaped


def escape_text(text: str) -> str:
    """One person's words as Mattermost text that renders as they wrote it, and only that."""
    kept = [line.rstrip() for line in lines(text) if line.strip()]
    return "\n  ".join(_escape_line(line) for line in kept)


def to_mattermost(body: str) -> str:
    """The message to post for a body: the bot's Markdown, the user spans made inert."""
    return "".join(escape_text(text) if is_user else text for is_user, text in spans(body))
