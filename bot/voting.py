"""Vote rules of the choice step: 3 votes per participant, at most 2 on one problem.

Pure functions over the list of votes; the engine decides what to say.
"""

from collections.abc import Collection, Iterable

from bot.numbers import whole
from bot.state import Vote

__all__ = [
    "MAX_PER_PROBLEM",
    "VOTES_PER_PERSON",
    "VoteRefusal",
    "check_ballot",
    "check_new_vote",
    "parse_ballot",
    "ranking",
    "tally",
    "top",
    "votes_of",
]

VOTES_PER_PERSON = 3
MAX_PER_PROBLEM = 2


class VoteRefusal(Exception):
    """A vote that breaks a rule; ``key`` names the text that explains it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def votes_of(votes: Iterable[Vote], voter: str) -> dict[int, int]:
    """Problem number → votes this voter gives it."""
    mine: dict[int, int] = {}
    for vote in votes:
        if vote.voter == voter:
            mine[vote.number] = mine.get(vote.number, 0) + vote.weight
    return mine


def check_new_vote(votes: list[Vote], voter: str, number: int, weight: int) -> None:
    mine = votes_of(votes, voter)
    used = sum(mine.values())
    if used + weight > VOTES_PER_PERSON:
        raise VoteRefusal("vote.refused_total", left=VOTES_PER_PERSON - used)
    if mine.get(number, 0) + weight > MAX_PER_PROBLEM:
        raise VoteRefusal("vote.refused_problem", number=number, already=mine.get(number, 0))


def parse_ballot(args: str) -> list[int]:
    """``"2 2 5"`` (or ``"#2, #2, #5"``) → ``[2, 2, 5]``."""
    numbers: list[int] = []
    for token in args.replace(",", " ").replace(";", " ").split():
        token = token.lstrip("#n°").strip()
        number = whole(token)
        if number is None:
            raise VoteRefusal("vote.not_a_number", token=token[:12])
        numbers.append(number)
    return numbers


def check_ballot(numbers: list[int], candidates: list[int]) -> None:
    if not numbers:
        raise VoteRefusal("vote.empty")
    for number in numbers:
        if number not in candidates:
            raise VoteRefusal("vote.unknown_problem", number=number)
    if len(numbers) > VOTES_PER_PERSON:
        raise VoteRefusal("vote.refused_total", left=VOTES_PER_PERSON)
    for number in set(numbers):
        if numbers.count(number) > MAX_PER_PROBLEM:
            raise VoteRefusal("vote.refused_problem", number=number, already=0)


def tally(votes: Iterable[Vote], candidates: list[int]) -> dict[int, int]:
    totals = dict.fromkeys(candidates, 0)
    for vote in votes:
        if vote.number in totals:
            totals[vote.number] += vote.weight
    return totals


def top(totals: dict[int, int]) -> list[int]:
    """The problems with the most votes (several on a tie), lowest number first."""
    if not totals:
        return []
    best = max(totals.values())
    return sorted(number for number, count in totals.items() if count == best)


def ranking(totals: dict[int, int], first: Collection[int] = ()) -> list[int]:
    """Problems by votes, most first; among equal counts, those in ``first`` (their author has
    not offered a situation yet), then in order of presentation."""
    return sorted(totals, key=lambda number: (-totals[number], number not in first, number))
