"""User text inside the bot's messages: data, never markup.

A body the engine produces is the bot's light Markdown (``**bold**``, `` `code` ``, ``- `` lists,
``> `` quotes) with people's words inside it: problems, names, questions, ideas, rules…
``bot.texts.render``, ``bot.record`` and ``bot.feelings`` wrap every piece of user text in two
private-use characters (``user``), so that the span survives, invisibly to a reader of the
source, into ``Say.body`` and ``SayDirect.body``. Each adapter then shows the bot's parts as
markup and the user spans as plain text for its platform (``spans``); the console and anything
that only reads the words drops the marks (``strip``).

The marks cannot be forged: ``user`` removes them from the text it wraps, and an unmarked mark
in the bot's own text only makes more of the text plain.
"""

import re

__all__ = ["CLOSE", "OPEN", "SLOT", "is_marked", "lines", "skeleton", "spans", "strip", "user"]

#: opens a span of user text (Unicode private use area: never typed, never shown)
OPEN = "\ue000"
#: closes it
CLOSE = "\ue001"

#: every character of the private use block the adapters may use as a mark of their own
_PRIVATE = re.compile("[\ue000-\ue00f]")
#: line breaks of every kind (Markdown renderers turn ``U+2424`` and ``U+2028`` into lines too)
_BREAKS = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029\u2424]")
#: explicit bidirectional embeddings, overrides and isolates: they could reorder the bot's
#: words after the span (implicit marks, LRM/RLM/ALM, are kept: they end with the span)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def user(text: object) -> str:
    """``text`` marked as user text (empty text stays empty)."""
    clean = _PRIVATE.sub("", str(text))
    return f"{OPEN}{clean}{CLOSE}" if clean else ""


def is_marked(text: str) -> bool:
    return OPEN in text or CLOSE in text


def spans(body: str) -> list[tuple[bool, str]]:
    """The body cut into ``(is_user_text, text)`` pieces, in order, marks removed.

    A stray mark never fails: an opening mark inside a span and a closing one outside are
    dropped; a span left open runs to the end (it is shown as plain text, the safe side).
    """
    pieces: list[tuple[bool, str]] = []
    inside = False
    current: list[str] = []

    def flush() -> None:
        text = "".join(current)
        current.clear()
        if not text:
            return
        if pieces and pieces[-1][0] == inside:
            pieces[-1] = (inside, pieces[-1][1] + text)
        else:
            pieces.append((inside, text))

    for part in re.split(f"([{OPEN}{CLOSE}])", body):
        if part == OPEN:
            if not inside:
                flush()
                inside = True
        elif part == CLOSE:
            if inside:
                flush()
                inside = False
        else:
            current.append(part)
    flush()
    return pieces


#: a skeleton holds ``\ue002<n>\ue003`` where the n-th span of user text goes
SLOT = re.compile("\ue002([0-9]+)\ue003")
_SLOT_CHARS = re.compile("[\ue002\ue003]")


def skeleton(body: str) -> tuple[str, list[str]]:
    """The bot's markup with a slot (``SLOT``) for each span of user text, and those spans:
    a renderer turns the bot's markup into its format, then fills each slot, escaped."""
    parts: list[str] = []
    users: list[str] = []
    for is_user, text in spans(body):
        if is_user:
            parts.append(f"\ue002{len(users)}\ue003")
            users.append(text)
        else:
            parts.append(_SLOT_CHARS.sub("", text))
    return "".join(parts), users


def strip(body: str) -> str:
    """The body as words, without the marks."""
    return body.replace(OPEN, "").replace(CLOSE, "")


def lines(text: str) -> list[str]:
    """User text as the lines a person wrote: every kind of line break is one, explicit
    bidirectional controls and stray private-use marks are dropped (for the adapters)."""
    text = _BIDI.sub("", _PRIVATE.sub("", text))
    return _BREAKS.split(text)
