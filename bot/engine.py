"""The atelier engine: ``decide(state, event, now) -> (state, effects)``.

Pure and synchronous: no clock, no I/O, no platform. The state given is never changed; a bad
command changes nothing of the atelier and is answered kindly — at most once per window per
person (``bot.flood``), so a flood of them queues no flood of replies.

The engine dispatches: each event goes to the rules of the current step (``bot.steps.STEPS``),
each command to its handler once ``bot.permissions`` allows it, each reaction to the step that
labelled the message.
"""

import copy
import re

from bot import archives, buttons, cycles, everyone, facilitation, flood, personal, steps
from bot.bare_words import understood_without_prefix
from bot.commands import COMMANDS, Command, Unknown, parse, spec
from bot.context import Ctx, Invocation
from bot.effects import CancelTimer, Effect, StartTimer
from bot.events import (
    ArchiveFound,
    CycleFound,
    DirectMessage,
    Event,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    MessageRemoved,
    PersonalDataFound,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
    Undeliverable,
)
from bot.formats import Format
from bot.ids import RoomId
from bot.permissions import refusal, shown
from bot.refs import Card, Consent, Floor, RecordConsent, RulesAgreement, Welcome, decode
from bot.sizes import INPUT_MAX, too_long
from bot.start import EngineSettings, start
from bot.state import AtelierState

__all__ = ["Engine", "EngineSettings"]

#: Handlers of the commands accepted at any step; the others are in the step's rules.
_ANY_STEP: dict[str, steps.CommandHandler] = {
    **everyone.HANDLERS,
    **facilitation.HANDLERS,
    **cycles.HANDLERS,
}

#: Commands that need no atelier here (``start`` has its own path: it makes one).
_ANYWHERE: dict[str, steps.CommandHandler] = {
    "archives": archives.ask,
    "history": archives.history,
    "export": archives.export_record,
    "my-data": personal.my_data,
    "forget-me": personal.forget_me,
}

#: an unknown command word is quoted back only when it is a plain word (never "@room", markup…)
_PLAIN_WORD = re.compile(r"[^\W\d_][\w'-]{0,23}")


def _check_tables() -> None:
    """Every command has one home: the engine (start), any step, or the steps that accept it."""
    for command in COMMANDS:
        anywhere = command.name in ("start", *_ANYWHERE) or command.name in _ANY_STEP
        if anywhere == (steps.accepted_in(command.name) is not None):
            raise RuntimeError(f"command {command.name!r}: no handler, or two homes")


_check_tables()


class Engine:
    def __init__(self, settings: EngineSettings, formats: dict[str, Format]) -> None:
        if settings.default_format not in formats:
            raise ValueError(f"unknown default format {settings.default_format!r}")
        self.settings = settings
        self.formats = formats

    # -- the one entry point -------------------------------------------------------------------
    def decide(
        self, state: AtelierState | None, event: Event, now: float
    ) -> tuple[AtelierState | None, list[Effect]]:
        work = _copy(state) if state is not None else None
        if work is not None and work.finished:
            work = None
        ctx = Ctx(work, event.room, self.settings.language, now)
        before = dict(work.timers) if work is not None else {}
        buttons.dispatch(ctx, event, self._dispatch)  # a stale click goes no further
        if ctx.has_atelier:
            steps.watch_plan(ctx)
        after = ctx.state
        effects = ctx.effects
        if after is not None:
            effects += _timer_changes(RoomId(event.room), before, after.timers)
        if after is state and state is not None:
            return state, effects
        return after if after is not None else state, effects

    def _dispatch(self, ctx: Ctx, event: Event) -> None:
        match event:
            case MessagePosted():
                self._on_message(ctx, event)
            case DirectMessage():
                self._on_direct(ctx, event)
            case ReactionAdded():
                if ctx.has_atelier:
                    self._on_reaction(ctx, event)
            case ReactionRemoved():
                if ctx.has_atelier:
                    match decode(event.ref):
                        case Card() as card:
                            steps.on_card_reaction_removed(ctx, card, event.sender, event.key)
                        case RecordConsent():
                            steps.take_back_record_answer(ctx, event.sender, event.key)
            case MessageEdited():
                if ctx.has_atelier:
                    self._on_edit(ctx, event)
            case MessageRemoved():
                if ctx.has_atelier:
                    steps.on_removed(ctx, event.sender, event.original_id, event.moderator)
            case MemberLeft():
                if ctx.has_atelier:
                    self._on_member_left(ctx, event)
            case Undeliverable():
                if ctx.has_atelier:
                    everyone.unreachable(ctx, event.user)
            case ArchiveFound():
                archives.answer(ctx, event, self._p)
            case PersonalDataFound():
                personal.answer(ctx, event, self._p)
            case CycleFound():
                if ctx.has_atelier:
                    cycles.on_found(ctx, event)
            case TimerFired():
                if ctx.has_atelier:
                    _on_timer(ctx, event)

    @property
    def _p(self) -> str:
        return self.settings.command_prefix

    # -- messages ------------------------------------------------------------------------------
    def _remember_name(self, ctx: Ctx, user: str, name: str) -> None:
        """A new display name; people are frozen entries: replaced, never changed."""
        if not ctx.has_atelier or not name:
            return
        person = ctx.s.people.get(user)
        if person is not None and person.name != name and not person.forgotten:
            ctx.s.people[user] = person.model_copy(update={"name": name})

    def _on_message(self, ctx: Ctx, event: MessagePosted) -> None:
        self._remember_name(ctx, event.sender, event.sender_name)
        if ctx.has_atelier and event.sender == ctx.s.facilitator:
            ctx.s.facilitator_away = False  # writing in the room: they are back
        ctx.reply_thread, ctx.from_room = event.thread, True
        # a thread other than the atelier's is people talking: only commands are read there
        aside = event.thread is not None and not (ctx.has_atelier and event.thread == ctx.s.thread)
        if aside and parse(event.text, self._p, direct=False) is None:
            return
        if self._refused_too_long(ctx, event.sender, event.text):
            return
        parsed = parse(event.text, self.settings.command_prefix, direct=False)
        if parsed is None and ctx.has_atelier:
            parsed = self._bare_command(ctx, event.text)
        if parsed is None:
            if ctx.has_atelier and not ctx.s.finished:
                room_text = steps.STEPS[ctx.s.kind].room_text
                if room_text is not None:
                    room_text(ctx, event.sender, event.text.strip(), event.message_id)
            return
        self._on_parsed(
            ctx,
            parsed,
            sender=event.sender,
            name=event.sender_name,
            direct=False,
            moderator=event.moderator,
            message_id=event.message_id,
        )

    def _bare_command(self, ctx: Ctx, text: str) -> Command | None:
        """``fini`` or ``garder 2 5`` typed in the room without the prefix, where they apply."""
        bare = parse(text, self._p, direct=True)
        if not isinstance(bare, Command):
            return None
        step_commands = set(steps.STEPS[ctx.s.kind].commands)
        return bare if understood_without_prefix(bare, text, step_commands) else None

    def _on_direct(self, ctx: Ctx, event: DirectMessage) -> None:
        self._remember_name(ctx, event.sender, event.sender_name)
        if self._refused_too_long(ctx, event.sender, event.text):
            return
        parsed = parse(event.text, self.settings.command_prefix, direct=True)
        if (
            isinstance(parsed, Command)
            and not parsed.prefixed
            and ctx.has_atelier
            and steps.STEPS[ctx.s.kind].takes_direct(ctx, event.sender)
            and (
                len(event.text.split()) > 3
                or refusal(ctx, parsed.spec, event.sender, moderator=False, prefix=self._p)
                is not None
            )
        ):
            parsed = None  # "Garder les bénévoles…" is a problem, not the `garder` command
        if parsed is None:
            if ctx.has_atelier:
                _on_direct_text(ctx, event.sender, event.text.strip())
            else:
                ctx.dm(event.sender, "dm.no_atelier", prefix=self.settings.command_prefix)
            return
        self._on_parsed(
            ctx,
            parsed,
            sender=event.sender,
            name=event.sender_name,
            direct=True,
            moderator=False,
            message_id=None,
        )

    def _on_parsed(
        self,
        ctx: Ctx,
        parsed: Command | Unknown,
        *,
        sender: str,
        name: str,
        direct: bool,
        moderator: bool,
        message_id: str | None,
    ) -> None:
        prefix = self.settings.command_prefix
        if isinstance(parsed, Unknown):
            if not _PLAIN_WORD.fullmatch(parsed.word):
                _refuse(ctx, sender, direct, "safety.unknown_command", prefix=prefix)
            elif parsed.suggestion:
                _refuse(
                    ctx,
                    sender,
                    direct,
                    "command.unknown_close",
                    word=parsed.word,
                    suggestion=shown(ctx, parsed.suggestion),
                    prefix=prefix,
                )
            else:
                _refuse(ctx, sender, direct, "command.unknown", word=parsed.word, prefix=prefix)
            return
        call = Invocation(
            ctx=ctx,
            user=sender,
            name=name,
            args=parsed.args,
            direct=direct,
            moderator=moderator,
            message_id=message_id,
            prefix=prefix,
        )
        if parsed.name == "start":
            start(call, self.settings, self.formats)
            return
        if parsed.name in _ANYWHERE:
            _ANYWHERE[parsed.name](call)
            return
        if not ctx.has_atelier:
            if parsed.name == "help":
                ctx.answer(sender, direct, "help.no_atelier", prefix=prefix)
            else:
                ctx.answer(sender, direct, "command.no_atelier", prefix=prefix)
            return
        refused = refusal(ctx, parsed.spec, sender, moderator=moderator, prefix=prefix)
        if refused is not None:
            key, params = refused
            _refuse(ctx, sender, True, key, **params)
            return
        handler = _ANY_STEP.get(parsed.name) or steps.STEPS[ctx.s.kind].commands[parsed.name]
        handler(call)

    # -- reactions: to the step that labelled the message ------------------------------------
    def _on_reaction(self, ctx: Ctx, event: ReactionAdded) -> None:
        user, key = event.sender, event.key
        match decode(event.ref):
            case Welcome() if key == "hand":
                steps.on_welcome_hand(ctx, user, event.sender_name)
            case Card() as card:
                steps.on_card_reaction(ctx, card, user, key)
            case Consent() as consent:
                steps.on_consent_reaction(ctx, consent, user, key)
            case RecordConsent():
                steps.on_record_reaction(ctx, user, key)
            case RulesAgreement():
                steps.on_rules_reaction(ctx, user, key)
            case Floor() if key == "hand" and "hand" in steps.STEPS[ctx.s.kind].commands:
                refused = refusal(ctx, spec("hand"), user, moderator=False, prefix=self._p)
                if refused is not None:
                    _refuse(ctx, user, True, refused[0], **refused[1])
                    return
                steps.hand(ctx, user, direct=True)

    # -- edits, departures, timers -------------------------------------------------------------
    def _on_edit(self, ctx: Ctx, event: MessageEdited) -> None:
        if self._refused_too_long(ctx, event.sender, event.text):
            return  # the earlier text stands
        parsed = parse(event.text, self._p, direct=False)
        text = parsed.args if isinstance(parsed, Command) else event.text.strip()
        if text:
            steps.on_edit(ctx, event.sender, event.original_id, text)

    def _on_member_left(self, ctx: Ctx, event: MemberLeft) -> None:
        s = ctx.s
        if event.bot_removed:
            for name in list(s.timers):
                ctx.clear_timer(name)
            s.finished = True
            ctx.record("bot_removed", event.sender, "")
            return
        if event.sender in s.participants:
            everyone.leave(ctx, event.sender, announce=True)
        elif event.sender == s.facilitator:
            s.facilitator_away = True  # no steering from outside the room
            ctx.say("facilitator.left_room", name=s.facilitator_name, prefix=self._p)

    def _refused_too_long(self, ctx: Ctx, user: str, text: str) -> bool:
        """A text over the cap is not kept, not even a part; its author is told privately."""
        if not too_long(text):
            return False
        if ctx.has_atelier:
            _refuse(ctx, user, True, "safety.too_long", length=len(text), most=INPUT_MAX)
        return True


def _refuse(ctx: Ctx, user: str, direct: bool, key: str, **params: object) -> None:
    """Answer a refused or misunderstood input, unless this person was answered a moment ago."""
    if ctx.has_atelier and not flood.may_answer(ctx.s, user, ctx.now):
        return
    ctx.answer(user, direct, key, **params)


def _on_direct_text(ctx: Ctx, user: str, text: str) -> None:
    """A private message that is no command: a problem, a rebound, or a misunderstanding."""
    kind = ctx.s.kind
    direct_text = steps.STEPS[kind].direct_text
    if direct_text is None or not direct_text(ctx, user, text):
        ctx.dm(user, "dm.not_understood", step=steps.title(ctx, kind))


def _on_timer(ctx: Ctx, event: TimerFired) -> None:
    expected = ctx.s.timers.get(event.name)
    if expected is None or abs(expected - event.at) > 1e-6:
        return  # stale: the deadline moved or was cleared since
    if event.name == "step":
        steps.on_deadline(ctx)
    elif event.name == "warning":
        steps.on_warning(ctx)
    elif event.name == "turn":
        steps.on_turn_timeout(ctx)
    elif event.name == steps.END_TIMER:
        steps.on_announced_end(ctx)
    else:
        ctx.clear_timer(event.name)


# -- small helpers -----------------------------------------------------------------------------
def _copy(state: AtelierState) -> AtelierState:
    """A copy to work on that the handlers may change without touching ``state``.

    The entries held in the state's lists and dicts (problems, votes, people…) are frozen
    models: handlers replace them, never change them. So a copy of each list and dict is
    enough; only the turns are changed in place, and are copied themselves. The format is
    frozen and shared. (A deep copy cost 90 % of ``decide``.)
    """
    work = copy.copy(state)
    fields = work.__dict__
    for name, value in fields.items():
        if type(value) is list:
            fields[name] = list(value)
        elif type(value) is dict:
            fields[name] = dict(value)
    turns = copy.copy(state.turns)
    turns.__dict__["queue"] = list(turns.queue)
    turns.__dict__["spoken"] = dict(turns.spoken)
    fields["turns"] = turns
    return work


def _timer_changes(room: RoomId, before: dict[str, float], after: dict[str, float]) -> list[Effect]:
    changes: list[Effect] = []
    for name, at in after.items():
        if before.get(name) != at:
            changes.append(StartTimer(room=room, name=name, at=at))
    for name in before:
        if name not in after:
            changes.append(CancelTimer(room=room, name=name))
    return changes
