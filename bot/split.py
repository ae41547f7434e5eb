"""A message too long for its platform is sent as numbered parts, cut between paragraphs or
lines where it can (never inside a word when a space is near), each part within the limit.

The adapters call ``parts(body, limit)`` with their platform's limit (Mattermost: 16,383
characters; Matrix: an event of 65,536 bytes, HTML included); the record of a long atelier is
the usual case.
"""

__all__ = ["parts"]

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
    return [f"{piece} ({n}/{total})" for n, piece in enumerate(pieces, start=1)]


def _cut(text: str, room: int) -> int:
    """Where to cut ``text`` so that the first piece fits in ``room``: after a paragraph, else
    after a line, else at a space, else anywhere (a 40 kB word)."""
    window = text[:room]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > room // 2:
            return at + len(separator)
    return room
