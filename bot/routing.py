"""Which atelier a private message is about.

A private message has no room: it concerns the one atelier its sender takes part in. Someone
in several may end it with "dans SALON" / "in ROOM" (a part of the room's name); the hint is
read only then, and only when it names one of their rooms — "… dans l'association" ends a
problem, and is kept whole.
"""

from collections.abc import Callable, Mapping

from bot.commands import normalize
from bot.state import AtelierState

__all__ = ["rooms_for"]


def rooms_for(
    states: Mapping[str, AtelierState],
    sender: str,
    text: str,
    owns: Callable[[str], bool],
    label: Callable[[str], str],
) -> tuple[list[str], str]:
    """The rooms the message may be about (one, none, or several to ask about) and its text
    (without the hint when a hint chose the room)."""
    rooms = [
        room
        for room, state in states.items()
        if not state.finished and owns(room) and state.answers_to(sender)
    ]
    before_hint, room_hint = _split_room_hint(text)
    if room_hint is not None and len(rooms) > 1:
        hint = normalize(room_hint)
        named = [r for r in rooms if hint in normalize(r) or hint in normalize(label(r))]
        if named:
            return named, before_hint
    return rooms, text


def _split_room_hint(text: str) -> tuple[str, str | None]:
    """``"next in salon"`` → ``("next", "salon")``; French ``dans`` works too."""
    words = text.strip().split()
    if len(words) >= 3 and words[-2].lower() in ("in", "dans"):
        return " ".join(words[:-2]), words[-1]
    return text, None
