"""Turn-taking: who holds the floor, in a fair order.

The kit's rule for the exchanges (and the clarification): *whoever has spoken waits until
everyone has had the chance*. Here, having had the chance means having held the floor once in
the step — whether one spoke or passed. So:

- the queue is kept sorted by how often each person has held the floor, then by asking order;
- someone who has held the floor does not get it again while a person present has never held
  it: the floor is *offered* to that person first (they may speak, or pass);
- typing while the floor is free is taking the floor only for someone the rule lets through.
"""

from dataclasses import dataclass

from bot.state import Turns

__all__ = [
    "Next",
    "give_next",
    "may_take_floor",
    "owed_a_chance",
    "position",
    "raise_hand",
    "remove",
    "start_fixed",
    "take_floor",
]


@dataclass(frozen=True, slots=True)
class Next:
    """Who holds the floor now; ``offered`` when they did not ask (their first chance)."""

    speaker: str
    offered: bool = False


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


def owed_a_chance(turns: Turns, present: list[str]) -> list[str]:
    """People present who have never held the floor in this step, in the order given."""
    return [p for p in present if not turns.spoken.get(p) and p != turns.speaker]


def may_take_floor(turns: Turns, user: str, present: list[str]) -> bool:
    """Whether ``user`` may hold the floor now without passing before anyone owed a chance."""
    if not turns.spoken.get(user):
        return True
    return not [p for p in owed_a_chance(turns, present) if p != user]


def give_next(turns: Turns, present: list[str] | None = None) -> Next | None:
    """End the current turn and hand the floor on (or to nobody).

    ``present``: the people the fairness rule protects (the contributors of a step of raised
    hands). When the next in the queue has already held the floor and one of them never has,
    the floor is offered to that person first. Set turns (``present`` None) go in queue order.
    """
    turns.speaker = None
    if not turns.queue:
        return None
    first = turns.queue[0]
    owed = owed_a_chance(turns, present or [])
    if turns.spoken.get(first) and owed:
        chosen = Next(owed[0], offered=True)
    else:
        chosen = Next(turns.queue.pop(0))
    _hold(turns, chosen.speaker)
    return chosen


def take_floor(turns: Turns, user: str) -> None:
    """Someone speaks while the floor is free and nobody waits: the turn is theirs."""
    _hold(turns, user)


def _hold(turns: Turns, user: str) -> None:
    if user in turns.queue:
        turns.queue.remove(user)
    turns.speaker = user
    turns.spoken[user] = turns.spoken.get(user, 0) + 1


def remove(turns: Turns, user: str) -> bool:
    """Take someone out of the queue; True when they held the floor."""
    if user in turns.queue:
        turns.queue.remove(user)
    return turns.speaker == user
