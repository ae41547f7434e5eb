"""``nouvelles`` (EN ``news``): a participant asks to be told how the situation turns out.

When the cold follow-up comes (``bot.planning_follow_up``), the answer of the person who
offered the situation is sent, privately, to those who asked; the question says so.
"""

from bot.context import Invocation

__all__ = ["HANDLERS"]


def ask_news(call: Invocation) -> None:
    s = call.ctx.s
    if call.user == s.offerer:
        call.tell("news.offerer")
        return
    if call.user not in s.news_wanted:
        s.news_wanted.append(call.user)
    call.acknowledge()
    call.tell("news.noted")


HANDLERS = {"news": ask_news}
