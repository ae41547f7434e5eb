"""Buttons: which of the bot's messages carry them, and when a click no longer counts.

Buttons save typing where a platform has them (Mattermost); each does exactly what a reaction
to its message, or a private command, does — same handler, same permissions. A button that
belongs to one step carries that step's ``marker`` as its ``guard``: a click that comes back
after the step has moved on (or the atelier has ended) changes nothing, and its author is told
kindly, privately.
"""

from collections.abc import Callable

from bot.context import Ctx
from bot.effects import Button
from bot.events import DirectMessage, Event, ReactionAdded
from bot.state import AtelierState

__all__ = ["answer", "consent", "marker", "record", "refused_stale", "steering", "votes", "welcome"]


def marker(s: AtelierState) -> str:
    """This step, this time it was entered (going back to it makes a new one)."""
    return f"{s.step_index}@{round(s.step_started_at * 1000)}"


def _guard(event: Event) -> str | None:
    """The guard of a click (``""``: a button valid at any step); None for anything else."""
    return event.guard if isinstance(event, DirectMessage | ReactionAdded) else None


def refused_stale(ctx: Ctx, event: Event) -> bool:
    """A button's click from a step that is over: answered, and nothing else happens."""
    guard = _guard(event)
    if guard is None or (ctx.has_atelier and guard in ("", marker(ctx.s))):
        return False
    assert isinstance(event, DirectMessage | ReactionAdded)
    ctx.dm(event.sender, "buttons.stale")
    return True


def answer_silence(ctx: Ctx, event: Event) -> None:
    """A click that did nothing and said nothing (done already, or not this person's button)
    still gets a word: a reaction may pass unanswered, a button pressed may not."""
    if _guard(event) is not None and not ctx.effects:
        assert isinstance(event, DirectMessage | ReactionAdded)
        ctx.dm(event.sender, "buttons.nothing")


def dispatch(ctx: Ctx, event: Event, handle: Callable[[Ctx, Event], None]) -> None:
    """``handle`` the event, unless it is a stale click; a click that did nothing gets a word."""
    if not refused_stale(ctx, event):
        handle(ctx, event)
        answer_silence(ctx, event)


def _label(ctx: Ctx, action: str) -> str:
    return ctx.t(f"buttons.{action}")


def welcome(ctx: Ctx) -> tuple[Button, ...]:
    """Join, as ✋ on the welcome message (valid as long as joining is)."""
    return (Button(action="join", label=_label(ctx, "join"), reaction="hand", guard=""),)


def votes(ctx: Ctx) -> tuple[Button, ...]:
    """One vote, two votes, as 1️⃣ and 2️⃣ on a problem card."""
    guard = marker(ctx.s)
    return tuple(
        Button(action=key, label=_label(ctx, key), reaction=key, guard=guard)
        for key in ("one", "two")
    )


def consent(ctx: Ctx) -> tuple[Button, ...]:
    """Yes, no, as ✅ and ❌ on the consent question (or the record question)."""
    guard = marker(ctx.s)
    return tuple(
        Button(action=key, label=_label(ctx, key), reaction=key, guard=guard)
        for key in ("yes", "no")
    )


record = consent


def answer(ctx: Ctx) -> tuple[Button, ...]:
    """Yes, no, as ``oui`` and ``non`` written privately (the record's preview)."""
    guard = marker(ctx.s)
    return tuple(
        Button(action=key, label=_label(ctx, key), command=key, guard=guard)
        for key in ("yes", "no")
    )


def steering(ctx: Ctx, *, pause: bool = True) -> tuple[Button, ...]:
    """The facilitator's next, extend 5 and pause, in their private conversation."""
    guard = marker(ctx.s)
    found = [
        Button(action="next", label=_label(ctx, "next"), command="next", guard=guard),
        Button(action="extend5", label=_label(ctx, "extend5"), command="extend 5", guard=guard),
    ]
    if pause and ctx.s.paused is None:
        pausing = Button(action="pause", label=_label(ctx, "pause"), command="pause", guard=guard)
        found.append(pausing)
    return tuple(found)
