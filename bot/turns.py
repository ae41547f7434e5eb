"""Turn-taking: who holds the floor, in a fair order.

Fair means: nobody speaks twice before everyone who asked has spoken once. The queue is kept
sorted by how often each person has spoken in this step, then by when they asked.
"""

from bot.state import Turns

__all__ = ["give_next", "position", "raise_hand", "remove", "start_fixed", "take_floor"]


def start_fixed(order: list[str]) -> Turns:
    """Turns in a set order (problem sharing, contributors' sharing)."""
    return Turns(queue=list(order))


def raise_hand(turns: Turns, user: str) -> None:
    if user == turns.speaker or user in turns.queue:
        return
    turns.queue.append(user)
    turns.queue.sort(key=lambda person: turns.spoken.get(person, 0))  # stable: asking order kept


def position(turns: Turns, user: str) -> int | None:
    """1 for the next to speak; ``None`` when not waiting."""
    return turns.queue.index(user) + 1 if user in turns.queue else None


def give_next(turns: Turns) -> str | None:
    """End the current turn and hand the floor to the next in the queue (or to nobody)."""
    turns.speaker = None
    if not turns.queue:
        return None
    speaker = turns.queue.pop(0)
    turns.speaker = speaker
    turns.spoken[speaker] = turns.spoken.get(speaker, 0) + 1
    return speaker


def take_floor(turns: Turns, user: str) -> None:
    """Someone speaks while the floor is free and nobody waits: the turn is theirs."""
    turns.speaker = user
    turns.spoken[user] = turns.spoken.get(user, 0) + 1


def remove(turns: Turns, user: str) -> bool:
    """Take someone out of the queue; True when they held the floor."""
    if user in turns.queue:
        turns.queue.remove(user)
    return turns.speaker == user
