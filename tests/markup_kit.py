"""Hostile user text, and what Mattermost and Matrix would make of the bot's messages.

``CORPUS`` is what careless or hostile people may write (mentions, images, links, fences,
titles, tables, quotes, HTML, entities, emoji, accents, right-to-left text and controls, very
long lines, every kind of line break, forged marks). The checks are ports of the rules that
matter, taken from the platforms' sources:

- ``mattermost_mentions``: the server's mention parser (``mention_parser_standard.go``,
  ``ProcessText``), run on the text as the server reads it (Markdown escapes resolved);
- ``mattermost_blocks`` / ``mattermost_links``: the block starts and link rules of the web
  app's renderer (mattermost/marked: ``block`` and ``inline.gfm``) and CommonMark's;
- ``mattermost_shown``: what a reader sees of a Mattermost text (escapes resolved, invisible
  word joiners dropped).
"""

import re
import unicodedata

__all__ = [
    "CORPUS",
    "HOSTILE_NAME",
    "WORD_JOINER",
    "as_lines",
    "as_written",
    "mattermost_blocks",
    "mattermost_links",
    "mattermost_mentions",
    "mattermost_shown",
]

WORD_JOINER = "\u2060"

HOSTILE_NAME = "@channel ![a](http://evil.example/n.png) **Léa**"

CORPUS_PARTS = [
    "Bonjour @channel, @all, @here et @room : lisez ça ! Merci @alice et @someone.",
    "(@here) @channel. @ALL! «@channel» @@all a@b.fr ＠channel @\u200bchannel",
    "![image](http://evil.example/pixel.png) et [un lien](https://evil.example/x?a=1&b=2)",
    "<http://evil.example/auto> <mailto:x@evil.example> <img src=x onerror=alert(1)> <b>gras</b>",
    "www.evil.example/www evil.example/page.png https://evil.example:8443/p mailto:me@evil.example",
    "&#64;channel &commat;all &lt;script&gt; &amp; &copy;",
    "```\nfenced code @channel\n```",
    "~~~python\nprint('fence')\n~~~",
    "`inline code` ``double`` et un ` seul",
    "# Titre\n## Sous-titre\n###### six",
    "Souligné\n===\nAussi\n---",
    "> citation\n>> imbriquée\n> - liste citée",
    "- puce\n* étoile\n+ plus\n1. un\n2) deux\n10. dix",
    "    code indenté de quatre\n\ttabulation\n\u00a0\u00a0\u00a0\u00a0insécables",
    "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "col a | col b\n--- | ---\nx | y",
    "***\n- - -\n___",
    "**gras** __gras__ *it* _it_ ~~barré~~ ~town-square ~off-topic",
    "$x^2$ et $$\\frac{1}{2}$$ coûtent 5 $ et 10 $",
    ":smile: :+1: :) ;-) <3 -> => --> 10:30 16h30",
    "#hashtag #tag_ok [ref]: http://evil.example \\[pas un lien\\]",
    "\\*pas en italique\\* C:\\Users\\léa\\ fin\\",
    "Émojis 🎉👩‍👩‍👧‍👦🏳️‍🌈 ✋ 1️⃣ accents éàçœŒ ÿ Å ß ñ",
    "RTL مرحبا بكم \u202eevil override\u202c שלום \u200fmark\u200e \u2066isolé\u2069 \u061c",
    "Lignes\r\nwindows\rmac\u2028sep\u2029para\u2424symbole\x0bvt\x0cff\x85nel",
    "Marques forgées \ue000fin\ue001 \ue001début\ue000 \ue002 0 \ue003",
    "Invisible\u200b\u200c\u200d\ufeff et vides\n\n\n   \nfin",
    "très longue ligne " + "abc.def-ghi_jkl @here [x](y) " * 24,
]
CORPUS = "\n".join(CORPUS_PARTS)
assert len(CORPUS) >= 2000

_LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029\u2424]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def as_lines(text: str) -> str:
    """A person's text with every kind of line break as one, without explicit bidirectional
    controls nor private-use marks (blank lines and spaces kept)."""
    return "\n".join(_LINE_BREAKS.split(_BIDI.sub("", re.sub("[\ue000-\ue00f]", "", text))))


def as_written(text: str) -> str:
    """A person's text as the bot should show it: their lines (every kind of line break is
    one, blank lines dropped), without explicit bidirectional controls nor private-use marks."""
    text = _BIDI.sub("", re.sub("[\ue000-\ue00f]", "", text))
    return "\n".join(line.rstrip() for line in _LINE_BREAKS.split(text) if line.strip())


# -- Mattermost ----------------------------------------------------------------------------------
#: mattermost/marked ``inline.escape``: what a backslash escapes in the web app
_MARKED_ESCAPE = re.compile(r"\\([`*{}\[\]()#+\-.!_>|~]|\\(?!\w))")


def mattermost_shown(message: str) -> str:
    """What a reader sees: escapes resolved as the web app does, word joiners invisible, and
    the two spaces that keep a continued line in its block dropped."""
    text = _MARKED_ESCAPE.sub(lambda m: m.group(1), message)
    return text.replace("\n  ", "\n").replace(WORD_JOINER, "")


def _server_text(message: str) -> str:
    """The text the server's mention parser reads: escapes resolved (CommonMark's set)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", message)


def _go_letter_or_number(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def mattermost_mentions(message: str) -> set[str]:
    """The mentions Mattermost's server finds in a message: ``@here``/``@channel``/``@all``
    and every ``@word`` (a user, a group or a potential mention), as ``ProcessText`` reads them."""
    found: set[str] = set()
    text = _server_text(message)
    # FieldsFunc: split on anything but letters, numbers and ``: . - _ @``
    words = "".join(c if (c in ":.-_@" or _go_letter_or_number(c)) else " " for c in text).split()
    for word in words:
        if not word or (word[0] == ":" and word[-1] == ":"):
            continue
        word = word.lstrip(":.-_")
        for part in [word, *re.split(r"[.\-:]", word)]:
            trimmed = part.rstrip(".-:_")
            if trimmed.startswith("@") and len(trimmed) > 1:
                found.add(trimmed.lower())
    return found


#: block starts of mattermost/marked (``block.gfm`` + tables) and of CommonMark
_BLOCK_STARTS = {
    "heading": re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)"),
    "list": re.compile(r"^ *(?:[*+-]|\d+[.)])(?:[ \t]|$)"),
    "blockquote": re.compile(r"^ *>"),
    "code": re.compile(r"^(?: {4}|\t)"),
    "fence": re.compile(r"^ {0,3}(?:`{3,}|~{3,})"),
    "rule": re.compile(r"^ {0,3}(?:[-*_] *){3,}$"),
    "underline": re.compile(r"^ {0,3}(?:=+|-{2,}) *$"),
    "table": re.compile(r"^ *\|"),
    "table_separator": re.compile(r"^ *[-:]+ *\|"),
    "html": re.compile(r"^ {0,3}<[A-Za-z/!?]"),
    "definition": re.compile(r"^ {0,3}\["),
}


def mattermost_blocks(message: str) -> set[str]:
    """The kinds of block a message's lines would open, from any line."""
    return {
        kind
        for line in message.replace("\t", "    ").replace("\u00a0", " ").split("\n")
        for kind, start in _BLOCK_STARTS.items()
        if start.match(line)
    }


_UNESCAPED = r"(?<!\\)(?:\\\\)*"
#: inline constructs of the web app (``inline.gfm``), on the message as the renderer reads it
_INLINE = {
    "url": re.compile(
        r"[A-Za-z][A-Za-z\d.+-]*:(?:/{1,3}|[^\W_]|%)|www\d{0,3}\.|[\w.-]+\.[^\W\d_]{2,4}/"
    ),
    # ``<x@y>`` may still become a mailto: link (it loads nothing); web links may not
    "autolink": re.compile(r"<(?:[^ >]+:/|www\d{0,3}\.)[^ >]+>"),
    "link_or_image": re.compile(_UNESCAPED + r"!?\["),
    "code": re.compile(_UNESCAPED + r"`"),
    "emphasis": re.compile(_UNESCAPED + r"[*_]"),
    "strike": re.compile(r"~~"),
    "table_cell": re.compile(_UNESCAPED + r"\|"),
    "html": re.compile(r"<[A-Za-z/!?]"),
    "entity": re.compile(r"&#?\w+;"),
    "channel_link": re.compile(r"~[a-z0-9]"),
    "at_mention": re.compile(r"@[a-z0-9.\-_]", re.IGNORECASE),
}


def mattermost_links(message: str) -> set[str]:
    """The inline constructs the web app would find in a message (links, images, code…)."""
    return {kind for kind, rule in _INLINE.items() if rule.search(message)}
