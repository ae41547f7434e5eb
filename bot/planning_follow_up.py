"""The room's delay of the cold follow-up: ``suivi 21`` (EN ``follow-up 21``).

After an atelier, the person who offered the situation is asked privately how their actions
went (``bot.planning``); each room may choose after how many days, or never (0).
"""

from typing import TYPE_CHECKING

from bot.numbers import whole
from bot.start import may_start

if TYPE_CHECKING:  # planning_commands uses this module: only its types here
    from bot.planning_commands import PlanCall

__all__ = ["follow_up"]


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
