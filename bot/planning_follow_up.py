"""The cold follow-up (issue 16 §5): some days after an atelier, the person who offered the
situation is asked privately how their actions went; the answer is appended to the archived
record of that atelier (if the group shared it). Each room may choose after how many days, or
never (``suivi 21``, EN ``follow-up 21``; 0: never).
"""

from typing import TYPE_CHECKING

from bot import when
from bot.agenda import Agenda, FollowUp
from bot.effects import ArchiveNote
from bot.numbers import whole
from bot.start import may_start

if TYPE_CHECKING:  # planning_commands uses this module: only its types here
    from bot.planning_commands import PlanCall, PlanWork

__all__ = ["answer_follow_up", "ask_follow_up", "follow_up", "plan_follow_up"]


def plan_follow_up(
    agenda: Agenda,
    atelier_id: str,
    offerer: str,
    started: float,
    now: float,
    default: float,
    listeners: tuple[str, ...] = (),
) -> Agenda | None:
    """A copy of ``agenda`` with the follow-up of this atelier (None: the room wants none)."""
    days = agenda.follow_up_days
    delay = days * 86_400 if days is not None else default
    if not delay:
        return None
    work = agenda.model_copy(deep=True)
    work.follow_ups.append(
        FollowUp(
            number=work.next_number,
            atelier_id=atelier_id,
            offerer=offerer,
            started_at=started,
            due=now + delay,
            listeners=[user for user in listeners if user != offerer],
        )
    )
    work.next_number += 1
    return work


def ask_follow_up(work: "PlanWork", number: int) -> None:
    follow_up = next(f for f in work.agenda.follow_ups if f.number == number)
    for earlier in [f for f in work.agenda.follow_ups if f.asked]:
        if earlier.offerer == follow_up.offerer:
            work.agenda.follow_ups.remove(earlier)  # unanswered: the newer question wins
    follow_up.asked = True
    day = when.spoken(follow_up.started_at, work.agenda.timezone, work.ctx.lang, work.ctx.now)
    count = len(follow_up.listeners)
    key = "agenda.follow_up_question_shared" if count else "agenda.follow_up_question"
    work.ctx.dm(follow_up.offerer, key, date=day, count=count)


def answer_follow_up(work: "PlanWork", follow_up: FollowUp, text: str) -> None:
    """The offerer's news: a note at the end of the record, and a thank-you."""
    ctx = work.ctx
    work.agenda.follow_ups.remove(follow_up)
    note = ctx.t("agenda.follow_up_in_record", date=work.when(ctx.now), answer=text)
    ctx.effects.append(ArchiveNote(room=ctx.room, atelier_id=follow_up.atelier_id, text=note))
    ctx.dm(follow_up.offerer, "agenda.follow_up_noted")
    day = when.spoken(follow_up.started_at, work.agenda.timezone, ctx.lang, ctx.now)
    for listener in follow_up.listeners:
        ctx.dm(listener, "agenda.follow_up_news", date=day, answer=text)


def follow_up(call: "PlanCall") -> None:
    """``suivi 21``: this room's offerers are asked how it went 21 days after (0: never);
    ``suivi`` alone says the delay. Changing it is for whoever may start an atelier here."""
    work = call.work
    words = call.args.split()
    current = work.agenda.follow_up_days
    days = current if current is not None else work.plan.follow_up / 86_400
    if not words:
        call.work.ctx.say("agenda.follow_up_days", days=round(days), reply=True)
        return
    wanted = whole(words[0])
    if wanted is None or wanted > 365 or len(words) > 1:
        call.answer("agenda.follow_up_usage")
        return
    if not may_start(work.settings, call.user, call.moderator):
        call.answer("agenda.not_allowed")
        return
    work.agenda.follow_up_days = wanted
    work.ctx.react(call.message_id)
    key = "agenda.follow_up_set" if wanted else "agenda.follow_up_off"
    work.ctx.say(key, days=wanted, reply=True)
