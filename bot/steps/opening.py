"""The opening steps: welcome (people join), presentation of the format, the group's rules."""

from bot import clock
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.refs import Welcome
from bot.state import AtelierState, Person
from bot.steps.base import (
    CommandHandler,
    StepRules,
    add_entry,
    announce,
    step_seconds,
    text_command,
    title,
)

__all__ = ["GROUND_RULES", "PRESENTATION", "WELCOME", "join", "on_welcome_hand", "rules_text"]

K = StepKind


def join(ctx: Ctx, user: str, name: str, message_id: str | None) -> None:
    s = ctx.s
    s.people[user] = Person(user_id=user, name=name or user)
    s.participants.append(user)
    ctx.record("registration", user, name)
    ctx.react(message_id)
    ctx.say("join.welcome", name=s.people[user].name, count=len(s.participants))


def on_welcome_hand(ctx: Ctx, user: str, name: str) -> None:
    """✋ on the welcome message: the same as ``join``, until the problem search."""
    s = ctx.s
    if user != s.facilitator and user not in s.participants and not s.reached(K.PROBLEM_SEARCH):
        join(ctx, user, name, None)


def _join(call: Invocation) -> None:
    join(call.ctx, call.user, call.name, call.message_id)


#: People may join until the problem search.
_JOIN: dict[str, CommandHandler] = {"join": _join}


# -- welcome, presentation ---------------------------------------------------------------------
def _enter_welcome(ctx: Ctx) -> None:
    s = ctx.s
    announce(ctx, ref=Welcome(), title=s.format.title(ctx.lang), facilitator=s.facilitator_name)


def _enter_presentation(ctx: Ctx) -> None:
    s = ctx.s
    lines = [
        ctx.t(
            "presentation.step_line",
            number=number,
            title=title(ctx, step.kind),
            minutes=clock.minutes_text(step_seconds(ctx, step), s.seconds_per_minute, ctx.lang),
        )
        for number, step in enumerate(s.format.steps, start=1)
    ]
    announce(ctx, steps="\n".join(lines))


WELCOME = StepRules(enter=_enter_welcome, commands=_JOIN)
PRESENTATION = StepRules(enter=_enter_presentation, commands=_JOIN)


# -- the group's rules -------------------------------------------------------------------------
def rules_text(s: AtelierState) -> str:
    return "\n".join(f"{r.number}. {r.text}" for r in s.rules)


def _add_rule(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    entry = add_entry(ctx.s.rules, user, text, ctx, message_id)
    ctx.record("ground_rule", user, text)
    ctx.react(message_id)
    if message_id is None:
        ctx.dm(user, "rules.added", number=entry.number)


def _rule_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    s = ctx.s
    if user in s.participants or user == s.facilitator:
        _add_rule(ctx, user, text, message_id)


def _finish_ground_rules(ctx: Ctx) -> bool:
    s = ctx.s
    if s.rules:
        ctx.say("rules.pinned", pin=True, rules=rules_text(s))
    return True


GROUND_RULES = StepRules(
    enter=announce,
    finish=_finish_ground_rules,
    room_text=_rule_written,
    commands={**_JOIN, "rule": text_command(_add_rule, how="rules.how")},
)
