"""The commands anyone may use at any step: leave, status, help, rules, facilitate."""

from bot import clock
from bot.commands import COMMANDS
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.permissions import refusal
from bot.state import Person
from bot.steps import (
    STEPS,
    CommandHandler,
    next_speaker,
    planned_end,
    rules_text,
    title,
)
from bot.steps.opening import join_command
from bot.texts import catalogue
from bot.turns import remove as remove_from_turns

__all__ = ["HANDLERS", "leave"]

K = StepKind


def leave(ctx: Ctx, user: str, *, announce: bool) -> None:
    """A participant leaves: their votes go; turns and the current step adjust.

    Once the case is chosen, they stay among the people asked about the record: their answer
    to it, or the lack of one, stands (leaving never turns into a yes).
    """
    s = ctx.s
    s.participants.remove(user)
    s.votes = [v for v in s.votes if v.voter != user]
    if s.offerer is not None and user not in s.departed:
        s.departed.append(user)
    ctx.record("departure", user, "")
    if announce:
        ctx.say("leave.goodbye", name=s.name(user))
    if user == s.offerer:
        ctx.dm(s.facilitator, "facilitator.offerer_left", name=s.name(user))
    elif s.offerer is None and not s.reached(K.CHOICE):
        problem = s.problem_of(user)
        if problem is not None:
            s.problems.remove(problem)
    held_floor = remove_from_turns(s.turns, user)
    after_leaving = STEPS[s.kind].someone_left
    if held_floor and s.step.takes_turns:
        next_speaker(ctx)
    elif after_leaving is not None:
        after_leaving(ctx)


def _leave(call: Invocation) -> None:
    leave(call.ctx, call.user, announce=True)


def _status(call: Invocation) -> None:
    ctx = call.ctx
    s = ctx.s
    left = ctx.remaining("step")
    if s.paused is not None:
        time_left = ctx.t("status.paused")
    elif left is None:
        time_left = ctx.t("status.waiting")
    else:
        time_left = ctx.t(
            "status.left", minutes=clock.minutes_text(left, s.seconds_per_minute, ctx.lang)
        )
    participants = ", ".join(s.name(p) for p in s.participants) or "—"
    body = ctx.t(
        "status.body",
        number=s.step_index + 1,
        total=len(s.format.steps),
        title=title(ctx, s.kind),
        time_left=time_left,
        facilitator=s.facilitator_name,
        offerer=s.name(s.offerer) if s.offerer else "—",
        participants=participants,
        planned=clock.clock(planned_end(ctx), s.timezone),
        end=clock.clock(s.announced_end or planned_end(ctx), s.timezone),
    )
    if s.turns.speaker is not None:
        body += "\n" + ctx.t("status.speaker", name=s.name(s.turns.speaker))
    if call.direct:
        ctx.dm_text(call.user, "status.body", body)
    else:
        ctx.say_text("status.body", body, reply=True)


def _help(call: Invocation) -> None:
    """The commands that make sense now, for this person, from the table of commands."""
    ctx, user = call.ctx, call.user
    s = ctx.s
    rules = STEPS[s.kind]
    lines = []
    for spec in COMMANDS:
        if spec.name in ("start", "help"):
            continue
        if refusal(ctx, spec, user, moderator=call.moderator, prefix=call.prefix) is not None:
            continue
        if spec.name in rules.commands and not rules.offers_commands(ctx, user):
            continue
        lines.append(
            ctx.t(f"help.{spec.name}", prefix="" if spec.facilitation else call.prefix + " ")
        )
    body = "\n".join(
        [
            ctx.t("help.header", step=title(ctx, s.kind), prefix=call.prefix),
            _doing_now(ctx, user),
            *(lines or [ctx.t("help.nothing_now")]),
        ]
    )
    ctx.dm_text(user, "help.body", body)  # privately: asking for help interrupts nobody


def _doing_now(ctx: Ctx, user: str) -> str:
    """One line: what this person does at this step (listen, write a rule, send a problem…)."""
    s = ctx.s
    if user == s.facilitator:
        return ctx.t("doing.facilitator")
    if user not in s.participants and s.kind is not StepKind.WELCOME:
        return ctx.t("doing.newcomer")
    own = f"doing.offerer_{s.kind.value}"
    if user == s.offerer and own in catalogue(ctx.lang):
        return ctx.t(own)
    return ctx.t(f"doing.{s.kind.value}")


def _rules(call: Invocation) -> None:
    ctx = call.ctx
    s = ctx.s
    if not s.rules:
        call.answer("rules.none")
        return
    if call.direct and call.user != s.facilitator:
        call.tell("rules.list", rules=rules_text(s))
    else:
        ctx.say("rules.list", rules=rules_text(s), reply=True)


def _facilitate(call: Invocation) -> None:
    """A room moderator takes over the facilitation."""
    ctx, user = call.ctx, call.user
    s = ctx.s
    if user == s.facilitator:
        call.tell("facilitate.already")
        return
    if user == s.offerer:
        call.tell("facilitate.offerer_cannot")
        return
    if user in s.participants:
        leave(ctx, user, announce=False)
    previous = s.facilitator
    s.people.setdefault(user, Person(user_id=user, name=call.name or user))
    s.facilitator = user
    s.facilitator_name = s.name(user)
    s.facilitator_away = False
    ctx.record("facilitation", user, previous)
    ctx.say("facilitate.taken", name=s.facilitator_name, previous=s.name(previous))
    call.tell("roles.facilitator", name=s.facilitator_name)


def unreachable(ctx: Ctx, user: str | None) -> None:
    """The platform refused a message of the bot for good. Told once per person: the
    facilitator privately, or in the room when the bot cannot write to the facilitator."""
    s = ctx.s
    who = user or ""
    if who in s.unreachable:
        return
    s.unreachable.append(who)
    if user is None:
        ctx.dm(s.facilitator, "safety.room_refused")
    elif user == s.facilitator:
        ctx.say("safety.facilitator_unreachable", mentions=(user,), name=s.facilitator_name)
    else:
        ctx.dm(s.facilitator, "safety.unreachable", name=s.name(user))


HANDLERS: dict[str, CommandHandler] = {
    "join": join_command,
    "leave": _leave,
    "status": _status,
    "help": _help,
    "rules": _rules,
    "facilitate": _facilitate,
}
