"""Who may do what, when: the refusals the engine answers before running a command."""

from bot.commands import CommandSpec, Who, spec
from bot.context import Ctx
from bot.steps import accepted_in, title

__all__ = ["Refusal", "refusal", "shown"]

#: A text key and its parameters, explaining why not.
Refusal = tuple[str, dict[str, object]]


def shown(ctx: Ctx, name: str) -> str:
    """A command as the person would type it in their language."""
    if ctx.lang == "fr" and spec(name).aliases:
        return ctx.t(f"command.word.{name}")
    return name


def _takes_part(ctx: Ctx, command: CommandSpec, user: str) -> bool:
    """A participant; or, for their answer about the record, someone asked who has left."""
    s = ctx.s
    return user in s.participants or (command.name in ("yes", "no") and user in s.record_asked)


def refusal(
    ctx: Ctx, command: CommandSpec, user: str, *, moderator: bool, prefix: str
) -> Refusal | None:
    """Why this person may not use this command now, or ``None`` when they may."""
    s = ctx.s
    who = command.who
    facilitator = s.facilitator_name
    if who is Who.FACILITATOR and user != s.facilitator:
        # taking over with `faciliter` is a moderator's word: the others are not told about it
        key = "refusal.only_facilitator_moderator" if moderator else "refusal.only_facilitator"
        return key, {"facilitator": facilitator, "prefix": prefix}
    if who in (Who.FACILITATOR, Who.FLOOR) and user == s.facilitator and s.facilitator_away:
        return "safety.facilitator_away", {"prefix": prefix}
    if who is Who.MODERATOR and not moderator:
        return "refusal.only_moderator", {"facilitator": facilitator}
    if who is Who.NEWCOMER:
        if user == s.facilitator:
            return "refusal.facilitator_does_not_join", {}
        if user in s.participants:
            return "refusal.already_joined", {}
    if who in (Who.PARTICIPANT, Who.CONTRIBUTOR) and not _takes_part(ctx, command, user):
        if user == s.facilitator:
            return "refusal.facilitator_not_participant", {}
        return "refusal.not_participant", {"facilitator": facilitator}
    if command.name == "carry" and user not in s.carry_asked:  # asked at the end (bot/cycles.py)
        return "carry.not_now", {}
    if who is Who.OFFERER and user != s.offerer:
        offerer = s.name(s.offerer) if s.offerer else "—"
        return "refusal.only_offerer", {"offerer": offerer}
    if who is Who.CONTRIBUTOR and user == s.offerer:
        return "refusal.offerer_listens", {}
    steps = accepted_in(command.name)
    if steps is not None and s.kind not in steps:
        where = [title(ctx, step.kind) for step in s.format.steps if step.kind in steps]
        return "refusal.not_now", {
            "command": shown(ctx, command.name),
            "steps": ", ".join(where) or "—",
            "now": title(ctx, s.kind),
        }
    if who is Who.FLOOR and user == s.facilitator and s.turns.speaker is not None:
        return None
    if who in (Who.SPEAKER, Who.FLOOR) and user != s.turns.speaker:
        if s.turns.speaker is None:
            return "refusal.nobody_has_floor", {}
        return "refusal.not_your_turn", {"speaker": s.name(s.turns.speaker)}
    return None
