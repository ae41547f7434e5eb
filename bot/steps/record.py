"""The record: everyone says whether it may be shared, then it goes to the group or the offerer."""

from bot import clock
from bot.context import Ctx, Invocation
from bot.formats import StepKind
from bot.record import build_record
from bot.refs import RecordConsent
from bot.steps.base import CommandHandler, StepRules, announce
from bot.steps.flow import advance

__all__ = ["RECORD", "conclude_record", "on_record_reaction"]


def _enter(ctx: Ctx) -> None:
    s = ctx.s
    s.record_consent = {}
    announce(ctx, mentions=tuple(s.participants), ref=RecordConsent())


def _answer(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    s.record_consent[user] = yes
    ctx.record("record_consent", user, "yes" if yes else "no")
    ctx.dm(user, "record.consent_yes" if yes else "record.consent_no")
    if all(p in s.record_consent for p in s.participants):
        advance(ctx)


def _someone_left(ctx: Ctx) -> None:
    """The one who had not answered left: everyone left has."""
    s = ctx.s
    if s.participants and all(p in s.record_consent for p in s.participants):
        advance(ctx)


def conclude_record(ctx: Ctx) -> None:
    """Share the record with the group if everyone agreed, else with its author only."""
    s = ctx.s
    if s.offerer is None:
        ctx.say("record.no_offerer")
        return
    text = build_record(s, clock.date(ctx.now, s.timezone))
    everyone = bool(s.participants) and all(s.record_consent.get(p) for p in s.participants)
    ctx.record("record", s.offerer, text, shared="yes" if everyone else "no")
    if everyone:
        ctx.say_text("record.shared", ctx.t("record.shared_intro") + "\n\n" + text)
    else:
        ctx.say("record.private", name=s.name(s.offerer))
        ctx.dm_text(s.offerer, "record.private_copy", ctx.t("record.private_intro") + "\n\n" + text)


def _finish(ctx: Ctx) -> bool:
    conclude_record(ctx)
    return True


def _yes_or_no(yes: bool) -> CommandHandler:
    def handler(call: Invocation) -> None:
        call.acknowledge()
        _answer(call.ctx, call.user, yes)

    return handler


def on_record_reaction(ctx: Ctx, user: str, key: str) -> None:
    """✅ or ❌ on the record step's message, from a participant."""
    s = ctx.s
    if key in ("yes", "no") and s.kind is StepKind.RECORD and user in s.participants:
        _answer(ctx, user, key == "yes")


RECORD = StepRules(
    enter=_enter,
    finish=_finish,
    someone_left=_someone_left,
    commands={"yes": _yes_or_no(True), "no": _yes_or_no(False)},
)
