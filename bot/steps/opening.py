"""The opening steps: welcome (people join), presentation of the format, the group's rules."""

from bot import buttons, clock
from bot.commands import normalize
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.refs import RulesAgreement, Welcome, encode
from bot.state import AtelierState, Person
from bot.steps.base import (
    StepRules,
    add_entry,
    announce,
    step_seconds,
    text_command,
    title,
)

__all__ = [
    "GROUND_RULES",
    "PRESENTATION",
    "WELCOME",
    "join",
    "join_command",
    "on_rules_reaction",
    "on_welcome_hand",
    "rules_text",
]

K = StepKind


def join(ctx: Ctx, user: str, name: str, message_id: str | None) -> None:
    """Someone joins: before the problem search as anyone; later as a contributor."""
    s = ctx.s
    s.people[user] = Person(user_id=user, name=name or user)
    s.participants.append(user)
    if user in s.departed:
        s.departed.remove(user)
    ctx.record("registration", user, name)
    ctx.react(message_id)
    ctx.say("join.welcome", name=s.people[user].name, count=len(s.participants))
    if s.kind is K.PROBLEM_SEARCH:
        ctx.dm(user, "problem.dm_invite", name=s.name(user))
    elif s.reached(K.PROBLEM_SEARCH):
        ctx.dm(user, "join.latecomer", name=s.name(user))
    if s.reached(K.PRESENTATION) and len(s.participants) == s.format.max_participants + 1:
        ctx.dm(s.facilitator, "group.large_now", count=len(s.participants), **_sizes(s))


def _too_late(s: AtelierState) -> bool:
    """Joining makes sense until the exchanges are over."""
    return s.reached(K.HARVEST)


def on_welcome_hand(ctx: Ctx, user: str, name: str) -> None:
    """✋ on the welcome message: the same as ``join``."""
    s = ctx.s
    if user != s.facilitator and user not in s.participants and not _too_late(s):
        join(ctx, user, name, None)


def join_command(call: Invocation) -> None:
    """``join`` at any step: welcome until the exchanges are over, then kindly too late."""
    if _too_late(call.ctx.s):
        call.tell("join.too_late")
        return
    join(call.ctx, call.user, call.name, call.message_id)


# -- the size of the group ---------------------------------------------------------------------
def _sizes(s: AtelierState) -> dict[str, int]:
    return {"min": s.format.min_participants, "max": s.format.max_participants}


def _check_group_size(ctx: Ctx) -> None:
    """Leaving the welcome: a group smaller or larger than the format's gets a word, and the
    facilitator the choices."""
    s = ctx.s
    count = len(s.participants)
    if count < s.format.min_participants:
        ctx.say_text("group.small", ctx.t("group.small", count=count, **_sizes(s)))
        ctx.dm(s.facilitator, "group.small_choices", count=count, **_sizes(s))
    elif count > s.format.max_participants:
        ctx.say_text("group.large", ctx.t("group.large", count=count, **_sizes(s)))
        ctx.dm(s.facilitator, "group.large_choices", count=count, **_sizes(s))


def _finish_welcome(ctx: Ctx) -> bool:
    _check_group_size(ctx)
    return True


# -- welcome, presentation ---------------------------------------------------------------------
def _enter_welcome(ctx: Ctx) -> None:
    s = ctx.s
    announce(
        ctx,
        ref=Welcome(),
        buttons=buttons.welcome(ctx),
        title=s.format.title(ctx.lang),
        facilitator=s.facilitator_name,
    )


def _enter_presentation(ctx: Ctx) -> None:
    s = ctx.s
    lines = [
        ctx.t(
            "presentation.step_line_optional" if step.optional else "presentation.step_line",
            number=number,
            title=title(ctx, step.kind),
            minutes=clock.minutes_text(step_seconds(ctx, step), s.seconds_per_minute, ctx.lang),
        )
        for number, step in enumerate(s.format.steps, start=1)
    ]
    announce(ctx, steps="\n".join(lines))


WELCOME = StepRules(enter=_enter_welcome, finish=_finish_welcome)
PRESENTATION = StepRules(enter=_enter_presentation)


# -- the group's rules -------------------------------------------------------------------------
def rules_text(s: AtelierState) -> str:
    return "\n".join(f"{r.number}. {r.text}" for r in s.rules)


def _add_rule(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    entry = add_entry(ctx.s.rules, user, text, ctx, message_id)
    ctx.record("ground_rule", user, text)
    ctx.react(message_id)
    if message_id is None:
        ctx.dm(user, "rules.added", number=entry.number)


_GREETING_WORDS = frozenset(
    [
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "hello",
        "hi",
        "hey",
        "merci",
        "thanks",
        "ok",
        "okay",
        "d'accord",
        "tout",
        "le",
        "monde",
        "à",
        "a",
        "tous",
        "toutes",
        "everyone",
        "all",
    ]
)


def _is_greeting(text: str) -> bool:
    """ "Bonjour tout le monde !", "Salut Léa", "👋": said to the group, not a rule."""
    words = [normalize(w).strip(".,;:!?…'\"") for w in text.split()]
    words = [w for w in words if any(c.isalnum() for c in w)]
    if not words:
        return True
    return words[0] in _GREETING_WORDS and (
        len(words) <= 2 or all(w in _GREETING_WORDS for w in words)
    )


def _rule_written(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    """In this step every message is a rule — except a greeting, answered privately."""
    s = ctx.s
    if user not in s.participants and user != s.facilitator:
        return
    if _is_greeting(text):
        ctx.dm(user, "rules.not_a_rule")
        return
    _add_rule(ctx, user, text, message_id)


def _finish_ground_rules(ctx: Ctx) -> bool:
    """The rules are pinned, and the group is asked whether the facilitator may recall them."""
    s = ctx.s
    if s.rules:
        ctx.say(
            "rules.pinned",
            pin=True,
            ref=encode(RulesAgreement()),
            rules=rules_text(s),
            facilitator=s.facilitator_name,
        )
    return True


def on_rules_reaction(ctx: Ctx, user: str, key: str) -> None:
    """✅ / ❌ on the pinned rules: may the facilitator recall them? Every yes is noted; a no
    goes to the facilitator, to talk it over with the group."""
    s = ctx.s
    if key not in ("yes", "no") or user not in s.participants:
        return
    agreed = key == "yes"
    if s.rules_agreed.get(user) is agreed:
        return  # said before
    s.rules_agreed[user] = agreed
    ctx.record("rules_agreement", user, key)
    if not agreed:
        ctx.dm(s.facilitator, "rules.recall_refused", name=s.name(user))
    elif all(s.rules_agreed.get(p) for p in s.participants):
        ctx.say("rules.recall_agreed", facilitator=s.facilitator_name)


GROUND_RULES = StepRules(
    enter=announce,
    finish=_finish_ground_rules,
    room_text=_rule_written,
    commands={"rule": text_command(_add_rule, how="rules.how")},
)
