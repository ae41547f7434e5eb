"""A message too long for its platform is sent as numbered parts, cut between paragraphs or
lines where it can (never inside a word when a space is near), each part within the limit.

The adapters call ``fitting(body, fits)`` with their platform's test on the formatted message
(Mattermost: 16,383 characters; Matrix: an event of 65,536 bytes, HTML included); the record
of a long atelier is the usual case. A span of user text cut in two (``bot.markup``) is closed
at the end of one part and opened again at the start of the next.
"""

from collections.abc import Callable

from bot.markup import CLOSE, OPEN

__all__ = ["fitting", "parts"]

#: room kept for the part's number, " (12/12)"
_NUMBER_ROOM = 10


def parts(body: str, limit: int) -> list[str]:
    """``body`` itself when it fits; else pieces of at most ``limit`` characters, numbered."""
    if len(body) <= limit:
        return [body]
    room = limit - _NUMBER_ROOM
    if room < 20:
        raise ValueError(f"limit {limit} too small to split a message")
    pieces: list[str] = []
    rest = body
    while len(rest) > room:
        cut = _cut(rest, room)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    if rest.strip():
        pieces.append(rest)
    total = len(pieces)
    return [f"{piece} ({n}/{total})" for n, piece in enumerate(_balanced(pieces), start=1)]


def fitting(body: str, fits: Callable[[str], bool], limit: int = 16_000) -> list[str]:
    """``body`` in as few parts as keep each one within ``fits`` (the platform's test of the
    formatted message), trying ``limit`` characters first, then less."""
    while True:
        pieces = parts(body, limit)
        if all(fits(piece) for piece in pieces) or limit <= 200:
            return pieces
        limit = limit * 3 // 4


def _balanced(pieces: list[str]) -> list[str]:
    """Each piece closes the user span it leaves open; the next one opens it again."""
    out: list[str] = []
    carry = False
    for piece in pieces:
        if carry:
            piece = OPEN + piece
        carry = piece.rfind(OPEN) > piece.rfind(CLOSE)
        out.append(piece + CLOSE if carry else piece)
    return out


def _cut(text: str, room: int) -> int:
    """Where to cut ``text`` so that the first piece fits in ``room``: after a paragraph, else
    after a line, else at a space, else anywhere (a 40 kB word)."""
    window = text[:room]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > room // 2:
            return at + len(separator)
    return room
