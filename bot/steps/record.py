"""The record (kit step 18): the offerer reviews it, then everyone whose words or presence are
in it says whether it may be shared with the group.

1. **Draft.** The offerer receives the record privately. They may still correct their messages
   (the bot sends it again), then say ``oui`` to put it to the group, or ``non`` to keep it.
2. **Consent round.** Everyone asked — the participants, those who left once the case was
   chosen, and anyone whose words it holds — receives privately the exact text that would be
   shared, and answers ``oui`` / ``non`` (or ✅ / ❌ on the room's question). The record no
   longer changes: later edits are not taken into it.
3. **Conclusion.** Only an explicit yes counts: a "no", a yes taken back, a missing answer or a
   departure never becomes one. When everyone said yes the record goes to the room at once.
   Otherwise it goes to the offerer only — or, if the facilitator chose so (``masquer``),
   to the room without the passages of those who did not say yes.
   A record not shared is not kept: only the offerer's private copy exists.
"""

from bot import archives, buttons, clock
from bot.context import Ctx, Invocation
from bot.effects import Archive
from bot.formats import StepKind
from bot.record import authors, build_record
from bot.refs import RecordConsent, encode
from bot.steps.base import CommandHandler, StepRules, announce, title
from bot.steps.flow import advance, move_on

__all__ = [
    "RECORD",
    "conclude_record",
    "draft_changed",
    "in_round",
    "on_record_reaction",
    "take_back",
]


def in_round(ctx: Ctx) -> bool:
    """Whether the consent round is open (the record is frozen)."""
    return ctx.s.kind is StepKind.RECORD and bool(ctx.s.record_asked)


def _text(ctx: Ctx, withheld: frozenset[str] = frozenset()) -> str:
    s = ctx.s
    return build_record(s, clock.date(ctx.now, s.timezone), withheld)


# -- 1. the draft ------------------------------------------------------------------------------
def _enter(ctx: Ctx) -> None:
    s = ctx.s
    s.record_consent = {}
    s.record_asked = []
    s.record_partial = False
    if s.offerer is None:
        ctx.say("record.no_offerer")
        move_on(ctx)
        return
    announce(ctx, mentions=(s.offerer,), offerer=s.name(s.offerer))
    _send_draft(ctx, "record.draft")


def _send_draft(ctx: Ctx, key: str) -> None:
    s = ctx.s
    assert s.offerer is not None
    intro = ctx.t(key, prefix=s.prefix)
    ctx.dm_text(s.offerer, key, intro + "\n\n" + _text(ctx))


def draft_changed(ctx: Ctx) -> None:
    """Someone corrected a passage while the offerer reviews: they get the new draft."""
    if ctx.s.kind is StepKind.RECORD and not ctx.s.record_asked and ctx.s.offerer:
        _send_draft(ctx, "record.draft_again")


def _validate(ctx: Ctx, yes: bool) -> None:
    s = ctx.s
    assert s.offerer is not None
    s.record_consent[s.offerer] = yes
    ctx.record("record_consent", s.offerer, "yes" if yes else "no")
    if not yes:
        ctx.say("record.offerer_keeps", name=s.name(s.offerer))
        advance(ctx)
        return
    _open_round(ctx)


# -- 2. the consent round ----------------------------------------------------------------------
def _open_round(ctx: Ctx) -> None:
    s = ctx.s
    asked: list[str] = []
    for user in (*s.participants, *s.departed, *authors(s)):
        if user not in asked:
            asked.append(user)
    s.record_asked = asked
    text = _text(ctx)
    present = tuple(u for u in s.participants if u != s.offerer)
    ctx.say(
        "record.ask",
        mentions=present,
        ref=encode(RecordConsent()),
        buttons=buttons.record(ctx),
        offerer=s.name(s.offerer or ""),
        prefix=s.prefix,
    )
    for user in asked:
        if user in s.record_consent:
            continue  # the offerer, who has said yes already
        key = "record.preview" if user in s.participants else "record.preview_departed"
        body = ctx.t(key, name=s.name(user)) + "\n\n" + text
        ctx.dm_text(user, key, body, buttons=buttons.answer(ctx))
    _maybe_conclude(ctx)


def _answer(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    first = user not in s.record_consent
    s.record_consent[user] = yes
    ctx.record("record_consent", user, "yes" if yes else "no")
    ctx.dm(user, "record.consent_yes" if yes else "record.consent_no")
    if first and user in s.participants:
        _only_departed_missing(ctx)
    _maybe_conclude(ctx)


def _only_departed_missing(ctx: Ctx) -> None:
    """Everyone present has answered; only people who left have not: the facilitator knows now,
    not at the step's end."""
    s = ctx.s
    missing = _missing(ctx)
    if missing and not any(u in s.participants for u in missing):
        names = ", ".join(s.name(u) for u in missing)
        ctx.dm(
            s.facilitator, "facilitator.record_only_departed", names=names, outcome=_outcome(ctx)
        )


def take_back(ctx: Ctx, user: str, key: str) -> None:
    """A ✅ (or ❌) taken back on the question: that answer no longer stands."""
    s = ctx.s
    if not in_round(ctx) or key not in ("yes", "no") or user not in s.record_asked:
        return
    if s.record_consent.get(user) is not (key == "yes"):
        return  # an older reaction: the person's last answer was the other one
    del s.record_consent[user]
    ctx.record("record_consent", user, "withdrawn")
    ctx.dm(user, "record.consent_withdrawn", prefix=s.prefix)


def _maybe_conclude(ctx: Ctx) -> None:
    """Everyone said yes: share now. Everyone answered, not all yes: tell the facilitator."""
    s = ctx.s
    if all(s.record_consent.get(u) for u in s.record_asked):
        advance(ctx)
    elif all(u in s.record_consent for u in s.record_asked):
        ctx.dm(s.facilitator, "facilitator.record_answered", outcome=_outcome(ctx))


def _missing(ctx: Ctx) -> list[str]:
    return [u for u in ctx.s.record_asked if u not in ctx.s.record_consent]


def _outcome(ctx: Ctx) -> str:
    return ctx.t("record.outcome_partial" if ctx.s.record_partial else "record.outcome_private")


def _deadline(ctx: Ctx) -> bool:
    """Time is up: conclude when everyone has answered, else let the facilitator decide."""
    s = ctx.s
    if s.record_asked and not _missing(ctx):
        return False  # the usual way: announce the end of the step, then conclude
    ctx.say("step.time_up_waiting", title=title(ctx, s.kind))
    if not s.record_asked:
        ctx.dm(s.facilitator, "facilitator.record_draft_waiting", name=s.name(s.offerer or ""))
    else:
        names = ", ".join(s.name(u) for u in _missing(ctx))
        ctx.dm(s.facilitator, "facilitator.record_waiting", names=names, outcome=_outcome(ctx))
    return True


# -- 3. the conclusion -------------------------------------------------------------------------
def conclude_record(ctx: Ctx) -> None:
    """Share what everyone whose words are in it agreed to; else only the offerer gets it."""
    s = ctx.s
    if s.offerer is None:
        return
    said_yes = {u for u, yes in s.record_consent.items() if yes}
    unanimous = bool(s.record_asked) and all(u in said_yes for u in s.record_asked)
    withheld = frozenset(u for u in authors(s) if u not in said_yes)
    if unanimous:
        text = _text(ctx)
        ctx.record("record", s.offerer, text, shared="yes")
        ctx.say_text("record.shared", ctx.t("record.shared_intro") + "\n\n" + text)
        _archive(ctx, text)
        return
    if s.record_partial and s.offerer in said_yes:
        text = _text(ctx, withheld)
        ctx.record("record", s.offerer, text, shared="partly")
        ctx.say_text("record.shared", ctx.t("record.shared_partly_intro") + "\n\n" + text)
        _archive(ctx, text)
        return
    ctx.record("record", s.offerer, "", shared="no")  # nobody else keeps what was refused
    ctx.say("record.private", name=s.name(s.offerer))
    private = ctx.t("record.private_intro") + "\n\n" + _text(ctx)
    ctx.dm_text(s.offerer, "record.private_copy", private)


def _archive(ctx: Ctx, text: str) -> None:
    """What the group agreed to share joins the room's archive (``archives``)."""
    s = ctx.s
    when = clock.date(ctx.now, s.timezone)
    title = ctx.t("archive.title", date=when, offerer=s.name(s.offerer or ""))
    ctx.effects.append(
        Archive(room=ctx.room, atelier_id=s.id, title=title, request=s.request or "", text=text)
    )
    stamp = clock.date(ctx.now, s.timezone).split("/")
    archives.post_files(ctx, title, text, ctx.t("archive.file_stem", number="-".join(stamp[::-1])))


def _finish(ctx: Ctx) -> bool:
    conclude_record(ctx)
    return True


# -- commands and reactions --------------------------------------------------------------------
def _respond(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    if not s.record_asked:
        if user == s.offerer:
            _validate(ctx, yes)
        else:
            ctx.dm(user, "record.wait_draft", name=s.name(s.offerer or ""))
        return
    if user not in s.record_asked:
        ctx.dm(user, "record.not_asked")
        return
    _answer(ctx, user, yes)


def _yes_or_no(yes: bool) -> CommandHandler:
    def handler(call: Invocation) -> None:
        call.acknowledge()
        _respond(call.ctx, call.user, yes)

    return handler


def _partial(call: Invocation) -> None:
    """The facilitator's choice: without someone's yes, share the rest rather than nothing."""
    s = call.ctx.s
    if s.record_partial:
        call.tell("record.partial_already")
        return
    s.record_partial = True
    call.ctx.record("record_partial", call.user, "")
    call.ctx.say("record.partial_room", facilitator=s.facilitator_name)
    call.tell("record.partial_set")


def on_record_reaction(ctx: Ctx, user: str, key: str) -> None:
    """✅ or ❌ on the record step's question."""
    if key in ("yes", "no") and in_round(ctx) and user in ctx.s.record_asked:
        _answer(ctx, user, key == "yes")


RECORD = StepRules(
    enter=_enter,
    finish=_finish,
    deadline=_deadline,
    commands={"yes": _yes_or_no(True), "no": _yes_or_no(False), "redact": _partial},
)
