"""The choice: problem cards to vote on (reactions, or ``vote 2 2 5``), ties, the ranking."""

from bot import buttons, cycles
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.reactions import VOTE_WEIGHTS
from bot.refs import Card, encode
from bot.state import AtelierState, TieBreak, Vote
from bot.steps.base import StepRules, announce, positive_number, set_deadline
from bot.steps.flow import move_on
from bot.voting import (
    VoteRefusal,
    check_ballot,
    check_new_vote,
    parse_ballot,
    ranking,
    tally,
    top,
    votes_of,
)

__all__ = ["CHOICE", "new_vote", "on_card_reaction", "on_card_reaction_removed"]


def _enter(ctx: Ctx) -> None:
    s = ctx.s
    if not s.candidates or s.vote_round == s.first_round:
        s.candidates = [p.number for p in s.problems if p.number not in s.declined]
    announce(ctx)
    _post_cards(ctx)


def _post_cards(ctx: Ctx) -> None:
    s = ctx.s
    for number in s.candidates:
        problem = s.problem(number)
        if problem is None:
            continue
        ctx.say(
            "choice.card_unpresented" if number in s.unpresented else "choice.card",
            ref=encode(Card(number=number, round=s.vote_round)),
            buttons=buttons.votes(ctx),
            number=number,
            text=problem.text,
            author=s.name(problem.author),
        )
    unpresented = [n for n in s.candidates if n in s.unpresented]
    if unpresented:
        ctx.say("choice.unpresented", numbers=_numbers(ctx, unpresented))


def _rewind(ctx: Ctx) -> None:
    """Back to the choice from a later step: a fresh vote on every problem, declined or not
    (the authors may see it differently now); the old cards and votes no longer count."""
    new_vote(ctx.s)
    ctx.s.declined = []


def new_vote(s: AtelierState) -> None:
    """Forget the last vote and its outcome; the next cards are a new round."""
    s.vote_round += 1
    s.first_round = s.vote_round
    s.candidates = []
    s.votes = []
    s.first_tally = {}
    s.tie = None
    s.ranking = []
    s.chosen = None
    s.offerer = None


def _needs_problems(ctx: Ctx) -> str | None:
    return None if ctx.s.problems else "goto.needs_problems"


# -- counting, ties ----------------------------------------------------------------------------
def _finish(ctx: Ctx) -> bool:
    s = ctx.s
    if s.tie is not None:
        return _tie_window_passed(ctx)
    totals = tally(s.current_votes, s.candidates)
    if s.vote_round == s.first_round:
        s.first_tally = dict(totals)
    tied = top(totals)
    best = cycles.newcomers(s, tied) or tied  # not offered yet: first among equals
    if len(best) == 1:
        _choose(ctx, best[0], totals, newcomer=len(tied) > 1)
        return True
    if len(best) < len(tied):
        ctx.say("tie.newcomers_first", numbers=_numbers(ctx, best), tied=_numbers(ctx, tied))
    s.tie = TieBreak(numbers=best, round=s.vote_round)
    listing = _numbers(ctx, best)
    ctx.say("tie.announce", numbers=listing, votes=totals[best[0]], facilitator=s.facilitator_name)
    ctx.dm(s.facilitator, "tie.facilitator", numbers=listing, first=best[0])
    set_deadline(ctx, ctx.seconds(s.step.minutes or 2))
    return False


def _deadline(ctx: Ctx) -> bool:
    if ctx.s.tie is None:
        return False
    _tie_window_passed(ctx)
    return True


def _tie_window_passed(ctx: Ctx) -> bool:
    """The facilitator did not settle the tie in time: re-vote once, then the first presented."""
    s = ctx.s
    tie = s.tie
    assert tie is not None
    if tie.round == s.first_round:
        s.tie = None
        s.vote_round += 1
        s.candidates = list(tie.numbers)
        ctx.say("tie.revote", numbers=_numbers(ctx, tie.numbers))
        _post_cards(ctx)
        set_deadline(ctx, ctx.seconds(s.step.minutes or 2))
        return False
    ctx.say("tie.first_presented", number=tie.numbers[0])
    _choose(ctx, tie.numbers[0], tally(s.current_votes, s.candidates))
    move_on(ctx)
    return False


def _choose(ctx: Ctx, number: int, totals: dict[int, int], *, newcomer: bool = False) -> None:
    s = ctx.s
    s.tie = None
    everyone = {p.number: s.first_tally.get(p.number, 0) for p in s.problems}
    others = [n for n in ranking(everyone, cycles.newcomers(s, everyone)) if n != number]
    s.ranking = [number, *others]
    key = "choice.result_newcomer" if newcomer else "choice.result"
    ctx.say(key, number=number, votes=totals.get(number, 0))


def _settle_tie(call: Invocation) -> None:
    """``choose N``: the facilitator settles a tie."""
    ctx, s = call.ctx, call.ctx.s
    number = positive_number(call.args)
    if s.tie is None:
        call.tell("tie.none")
        return
    if number is None or int(number) not in s.tie.numbers:
        call.tell("tie.pick_among", numbers=_numbers(ctx, s.tie.numbers))
        return
    ctx.say("tie.settled", number=int(number), facilitator=s.facilitator_name)
    _choose(ctx, int(number), tally(s.current_votes, s.candidates))
    move_on(ctx)


# -- votes -------------------------------------------------------------------------------------
def _my_votes(ctx: Ctx, user: str) -> str:
    mine = votes_of(ctx.s.current_votes, user)
    if not mine:
        return ctx.t("vote.none")
    return ", ".join(
        ctx.t("vote.mine_once" if count == 1 else "vote.mine_more", number=n, count=count)
        for n, count in sorted(mine.items())
    )


def _numbers(ctx: Ctx, numbers: list[int]) -> str:
    """Problem numbers as the texts write them: "n° 1, n° 3"."""
    return ", ".join(ctx.t("choice.number", number=n) for n in numbers)


def _vote(call: Invocation) -> None:
    """``vote 2 2 5``: the text fallback, replacing one's earlier votes of this round."""
    ctx, s, user = call.ctx, call.ctx.s, call.user
    if s.tie is not None:
        call.tell("vote.closed_tie")
        return
    if not call.args:
        call.tell("vote.how", prefix=call.prefix, mine=_my_votes(ctx, user))
        return
    try:
        numbers = parse_ballot(call.args)
        check_ballot(numbers, s.candidates)
    except VoteRefusal as refusal:
        if refusal.key == "vote.refused_total":  # a typed ballot: no reaction to take back
            call.tell("vote.too_many", count=len(numbers))
        else:
            call.tell(refusal.key, **refusal.params)
        return
    s.votes = [v for v in s.votes if not (v.voter == user and v.round == s.vote_round)]
    for number in numbers:
        s.votes.append(Vote(voter=user, number=number, weight=1, source="text", round=s.vote_round))
    ctx.record("vote", user, " ".join(str(n) for n in numbers), round=str(s.vote_round))
    call.acknowledge()
    call.tell("vote.counted", mine=_my_votes(ctx, user), left=3 - len(numbers))


def on_card_reaction(ctx: Ctx, card: Card, user: str, key: str) -> None:
    """1️⃣, 2️⃣ or 👍 on a problem card."""
    s = ctx.s
    number = card.number
    if key not in VOTE_WEIGHTS:
        return
    if s.kind is not StepKind.CHOICE or card.round != s.vote_round or s.tie is not None:
        ctx.dm(user, "vote.closed")
        return
    if user == s.facilitator:
        ctx.dm(user, "vote.facilitator_does_not_vote")
        return
    if user not in s.participants:
        ctx.dm(user, "refusal.not_participant", facilitator=s.facilitator_name)
        return
    current = s.current_votes
    if any(v.voter == user and v.number == number and v.source == key for v in current):
        return
    weight = VOTE_WEIGHTS[key]
    try:
        check_new_vote(current, user, number, weight)
    except VoteRefusal as refusal:
        ctx.dm(user, refusal.key, **refusal.params)
        return
    s.votes.append(Vote(voter=user, number=number, weight=weight, source=key, round=s.vote_round))
    ctx.record("vote", user, str(number), weight=str(weight), round=str(s.vote_round))
    mine = votes_of(s.current_votes, user)
    ctx.dm(user, "vote.counted", mine=_my_votes(ctx, user), left=3 - sum(mine.values()))


def on_card_reaction_removed(ctx: Ctx, card: Card, user: str, key: str) -> None:
    """A reaction taken back from a card takes its votes back."""
    s = ctx.s
    if s.kind is not StepKind.CHOICE:
        return
    for vote in s.votes:
        if (
            vote.voter == user
            and vote.number == card.number
            and vote.source == key
            and vote.round == card.round
        ):
            s.votes.remove(vote)
            ctx.record("vote_removed", user, str(card.number), weight=str(vote.weight))
            ctx.dm(user, "vote.removed", number=card.number, mine=_my_votes(ctx, user))
            return


CHOICE = StepRules(
    enter=_enter,
    finish=_finish,
    deadline=_deadline,
    commands={"vote": _vote, "choose": _settle_tie},
    blocks_jump=_needs_problems,
    rewind=_rewind,
)
