"""Finding the date first: ``sondage-date 12/01 14h, 14/01 18h, 15/01 9h`` (EN ``date-poll``).

Each slot is posted as a message of its own; people react ✅ (or 👍, ✋) to those that suit
them. ``sondage-date`` alone shows the counts; whoever opened the poll (or a moderator) plans
the chosen slot with ``planifier N`` (the slot's number), which closes the poll and tells those
it suited. A poll whose last slot has passed is closed.
"""

from typing import TYPE_CHECKING

from bot import when
from bot.agenda import DatePoll, Slot

if TYPE_CHECKING:  # planning_commands uses this module: only its types here
    from bot.planning_commands import PlanCall, PlanWork

__all__ = ["SLOT_REF", "close_poll", "date_poll", "slot_time", "suits"]

#: the label of a slot's message: ``plan:slot:7``
SLOT_REF = "plan:slot:"
MOST_SLOTS = 10


def date_poll(call: "PlanCall") -> None:
    work, ctx = call.work, call.work.ctx
    if not call.args.strip():
        _counts(call)
        return
    slots: list[Slot] = []
    for part in call.args.split(","):
        words = part.split()
        if len(words) != 2:
            call.answer("agenda.poll_usage")
            return
        moment = when.parse_moment(words[0], words[1], ctx.now, work.agenda.timezone)
        if moment.at is None:
            call.answer("agenda.poll_bad_slot", typed=part.strip())
            return
        slots.append(Slot(number=0, at=moment.at))
    if not 2 <= len(slots) <= MOST_SLOTS:
        call.answer("agenda.poll_usage")
        return
    poll = DatePoll(number=work.agenda.next_number, facilitator=call.user)
    work.agenda.next_number += 1
    for slot in sorted(slots, key=lambda s: s.at):
        slot.number = work.agenda.next_number
        work.agenda.next_number += 1
        poll.slots.append(slot)
    work.agenda.polls.append(poll)
    ctx.react(call.message_id)
    ctx.say("agenda.poll", facilitator=call.name, count=len(poll.slots))
    for slot in poll.slots:
        ctx.say(
            "agenda.poll_slot",
            ref=f"{SLOT_REF}{slot.number}",
            number=slot.number,
            date=work.when(slot.at),
        )


def _counts(call: "PlanCall") -> None:
    work, ctx = call.work, call.work.ctx
    if not work.agenda.polls:
        call.answer("agenda.poll_none")
        return
    lines = [
        ctx.t(
            "agenda.poll_count", number=slot.number, date=work.when(slot.at), count=len(slot.suits)
        )
        for poll in work.agenda.polls
        for slot in poll.slots
    ]
    ctx.say("agenda.poll_counts", lines="\n".join(lines), reply=True)


def suits(work: "PlanWork", ref: str, user: str, name: str, yes: bool) -> None:
    """A reaction on a slot: it suits ``user`` (or, taken back, no longer)."""
    number = ref[len(SLOT_REF) :]
    found = work.agenda.slot(int(number)) if number.isdigit() else None
    if found is None:
        return
    slot = found[1]
    if yes:
        slot.suits[user] = name or user
    else:
        slot.suits.pop(user, None)


def slot_time(call: "PlanCall", number: int) -> float | None:
    """``planifier N`` with a slot's number: its time, if this person may choose it (whoever
    opened the poll, or a moderator); None when not, and they are told why."""
    work = call.work
    found = work.agenda.slot(number)
    if found is None:
        call.answer("agenda.no_such_session", number=str(number))
        return None
    poll, slot = found
    if call.user != poll.facilitator and not call.moderator:
        call.answer("agenda.poll_not_yours")
        return None
    return slot.at


def close_poll(work: "PlanWork", number: int) -> None:
    """The slot ``number`` is planned: its poll closes; those it suited are told."""
    found = work.agenda.slot(number)
    if found is None:
        return
    poll, slot = found
    work.agenda.polls.remove(poll)
    for user in slot.suits:
        work.ctx.dm(user, "agenda.poll_chosen", date=work.when(slot.at), number=number)
