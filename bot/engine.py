"""The atelier engine: ``decide(state, event, now) -> (state, effects)``.

Pure and synchronous: no clock, no I/O, no platform. The state given is never changed; a bad
command leaves the returned state equal to the one given and answers kindly.
"""

import copy
from dataclasses import dataclass, field

from bot import clock, steps
from bot.commands import COMMANDS, Command, CommandSpec, Unknown, Who, normalize, parse
from bot.context import Ctx
from bot.effects import CancelTimer, Effect, StartTimer
from bot.events import (
    DirectMessage,
    Event,
    MemberLeft,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
)
from bot.formats import DEFAULT_FORMAT_ID, NEEDS_OFFERER, Format, StepKind
from bot.ids import RoomId
from bot.reactions import VOTE_WEIGHTS
from bot.state import AtelierState, Person, Vote
from bot.turns import remove as remove_from_turns
from bot.voting import VoteRefusal, check_ballot, check_new_vote, parse_ballot, votes_of

__all__ = ["Engine", "EngineSettings"]

K = StepKind


@dataclass(frozen=True, slots=True)
class EngineSettings:
    language: str = "fr"
    command_prefix: str = "!atelier"
    seconds_per_minute: float = 60.0
    timezone: str = "Europe/Paris"
    default_format: str = DEFAULT_FORMAT_ID
    bot_user: str = "@atelier"
    extra: dict[str, str] = field(default_factory=dict)


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
        self._dispatch(ctx, event)
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
                    self._on_reaction_removed(ctx, event)
            case MessageEdited():
                if ctx.has_atelier:
                    self._on_edit(ctx, event)
            case MemberLeft():
                if ctx.has_atelier:
                    self._on_member_left(ctx, event)
            case TimerFired():
                if ctx.has_atelier:
                    self._on_timer(ctx, event)

    # -- messages ------------------------------------------------------------------------------
    def _remember_name(self, ctx: Ctx, user: str, name: str) -> None:
        if ctx.has_atelier and user in ctx.s.people and name and ctx.s.people[user].name != name:
            ctx.s.people[user].name = name

    def _on_message(self, ctx: Ctx, event: MessagePosted) -> None:
        parsed = parse(event.text, self.settings.command_prefix, direct=False)
        self._remember_name(ctx, event.sender, event.sender_name)
        if parsed is None:
            if ctx.has_atelier and not ctx.s.finished:
                steps.on_room_text(ctx, event.sender, event.text.strip(), event.message_id)
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

    def _on_direct(self, ctx: Ctx, event: DirectMessage) -> None:
        parsed = parse(event.text, self.settings.command_prefix, direct=True)
        self._remember_name(ctx, event.sender, event.sender_name)
        if (
            isinstance(parsed, Command)
            and not parsed.prefixed
            and ctx.has_atelier
            and steps.expects_direct_text(ctx, event.sender)
            and (
                len(event.text.split()) > 3
                or self._refusal(ctx, parsed.spec, event.sender, moderator=False) is not None
            )
        ):
            parsed = None  # "Garder les bénévoles…" is a problem, not the `garder` command
        if parsed is None:
            if ctx.has_atelier:
                steps.on_direct_text(ctx, event.sender, event.text.strip())
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
            if parsed.suggestion:
                ctx.answer(
                    sender,
                    direct,
                    "command.unknown_close",
                    word=parsed.word,
                    suggestion=_shown(ctx, parsed.suggestion),
                    prefix=prefix,
                )
            else:
                ctx.answer(sender, direct, "command.unknown", word=parsed.word, prefix=prefix)
            return
        command = parsed
        if command.name == "start":
            self._start(ctx, sender, name, command.args, direct)
            return
        if not ctx.has_atelier:
            if command.name == "help":
                ctx.answer(sender, direct, "help.no_atelier", prefix=prefix)
            else:
                ctx.answer(sender, direct, "command.no_atelier", prefix=prefix)
            return
        refusal = self._refusal(ctx, command.spec, sender, moderator)
        if refusal is not None:
            key, params = refusal
            ctx.dm(sender, key, **params)
            return
        if not command.args and command.name in _NEEDS_TEXT:
            ctx.dm(sender, _NEEDS_TEXT[command.name], prefix=self._p)
            return
        handler = getattr(self, f"_cmd_{command.name}")
        handler(ctx, sender, name, command.args, direct, message_id)

    # -- who may do what, when -----------------------------------------------------------------
    def _refusal(
        self, ctx: Ctx, spec: CommandSpec, sender: str, moderator: bool
    ) -> tuple[str, dict[str, object]] | None:
        s = ctx.s
        who = spec.who
        facilitator = s.facilitator_name
        if who is Who.FACILITATOR and sender != s.facilitator:
            return "refusal.only_facilitator", {"facilitator": facilitator, "prefix": self._p}
        if who is Who.MODERATOR and not moderator:
            return "refusal.only_moderator", {"facilitator": facilitator}
        if who is Who.NEWCOMER:
            if sender == s.facilitator:
                return "refusal.facilitator_does_not_join", {}
            if sender in s.participants:
                return "refusal.already_joined", {}
        if who in (Who.PARTICIPANT, Who.CONTRIBUTOR) and sender not in s.participants:
            if sender == s.facilitator:
                return "refusal.facilitator_not_participant", {}
            return "refusal.not_participant", {"facilitator": facilitator}
        if who is Who.OFFERER and sender != s.offerer:
            offerer = s.name(s.offerer) if s.offerer else "—"
            return "refusal.only_offerer", {"offerer": offerer}
        if who is Who.CONTRIBUTOR and sender == s.offerer:
            return "refusal.offerer_listens", {}
        if spec.steps is not None and s.kind not in spec.steps:
            where = [
                self._step_title(ctx, step.kind)
                for step in s.format.steps
                if step.kind in spec.steps
            ]
            return "refusal.not_now", {
                "command": _shown(ctx, spec.name),
                "steps": ", ".join(where) or "—",
                "now": self._step_title(ctx, s.kind),
            }
        if who is Who.SPEAKER and sender != s.turns.speaker:
            if s.turns.speaker is None:
                return "refusal.nobody_has_floor", {}
            return "refusal.not_your_turn", {"speaker": s.name(s.turns.speaker)}
        return None

    @property
    def _p(self) -> str:
        return self.settings.command_prefix

    @staticmethod
    def _step_title(ctx: Ctx, kind: StepKind) -> str:
        return ctx.t(f"step.{kind}")

    # -- starting ------------------------------------------------------------------------------
    def _start(self, ctx: Ctx, sender: str, name: str, args: str, direct: bool) -> None:
        if direct:
            ctx.dm(sender, "start.in_room", prefix=self._p)
            return
        if ctx.has_atelier:
            ctx.say(
                "start.already_running",
                mentions=(sender,),
                facilitator=ctx.s.facilitator_name,
                prefix=self._p,
            )
            return
        options = _parse_start(args)
        lang = options.get("lang", self.settings.language)
        if lang not in ("fr", "en"):
            ctx.say("start.bad_language", mentions=(sender,), lang=lang)
            return
        ctx.lang = lang
        format_id = options.get("format", self.settings.default_format)
        fmt = self.formats.get(format_id)
        if fmt is None:
            ctx.say(
                "start.unknown_format",
                mentions=(sender,),
                format=format_id,
                formats=", ".join(sorted(self.formats)),
            )
            return
        announced: float | None = None
        if "end" in options:
            announced = clock.next_clock_time(options["end"], ctx.now, self.settings.timezone)
            if announced is None:
                ctx.say("start.bad_end", mentions=(sender,), end=options["end"])
                return
        state = AtelierState(
            id=f"{ctx.room}#{int(ctx.now * 1000)}",
            room=ctx.room,
            lang=lang,
            format=fmt,
            seconds_per_minute=self.settings.seconds_per_minute,
            started_at=ctx.now,
            timezone=self.settings.timezone,
            prefix=self._p,
            facilitator=sender,
            facilitator_name=name,
            people={sender: Person(user_id=sender, name=name)},
        )
        ctx.replace_state(state)
        steps.start_step(ctx, 0)
        planned = steps.planned_end(ctx)
        state.announced_end = announced if announced is not None else planned
        ctx.say(
            "start.planned",
            end=clock.clock(state.announced_end, state.timezone),
            planned=clock.clock(planned, state.timezone),
        )
        if announced is not None and planned > announced:
            ctx.dm(
                sender,
                "facilitator.plan_exceeds_end",
                planned=clock.clock(planned, state.timezone),
                end=clock.clock(announced, state.timezone),
            )

    # -- commands for everyone -----------------------------------------------------------------
    def _cmd_join(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._join(ctx, sender, name, mid)

    def _join(self, ctx: Ctx, sender: str, name: str, message_id: str | None) -> None:
        s = ctx.s
        s.people[sender] = Person(user_id=sender, name=name or sender)
        s.participants.append(sender)
        ctx.record("registration", sender, name)
        ctx.react(message_id)
        ctx.say("join.welcome", name=s.people[sender].name, count=len(s.participants))

    def _cmd_leave(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._leave(ctx, sender, announce=True)

    def _leave(self, ctx: Ctx, user: str, *, announce: bool) -> None:
        s = ctx.s
        s.participants.remove(user)
        s.votes = [v for v in s.votes if v.voter != user]
        s.record_consent.pop(user, None)
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
        if held_floor and s.step.takes_turns:
            steps.next_speaker(ctx)
        elif (
            s.kind is K.RECORD
            and s.participants
            and all(p in s.record_consent for p in s.participants)
        ):
            steps.advance(ctx)

    def _cmd_status(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        left = ctx.remaining("step")
        if s.paused is not None:
            time_left = ctx.t("status.paused")
        elif left is None:
            time_left = ctx.t("status.waiting")
        else:
            time_left = ctx.t(
                "status.left",
                minutes=clock.minutes_text(left, s.seconds_per_minute, ctx.lang),
            )
        participants = ", ".join(s.name(p) for p in s.participants) or "—"
        body = ctx.t(
            "status.body",
            number=s.step_index + 1,
            total=len(s.format.steps),
            title=self._step_title(ctx, s.kind),
            time_left=time_left,
            facilitator=s.facilitator_name,
            offerer=s.name(s.offerer) if s.offerer else "—",
            participants=participants,
            planned=clock.clock(steps.planned_end(ctx), s.timezone),
            end=clock.clock(s.announced_end or steps.planned_end(ctx), s.timezone),
        )
        if s.turns.speaker is not None:
            body += "\n" + ctx.t("status.speaker", name=s.name(s.turns.speaker))
        if direct:
            ctx.dm_text(sender, "status.body", body)
        else:
            ctx.say_text("status.body", body)

    def _cmd_help(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        lines = []
        for spec in COMMANDS:
            if spec.name in ("start", "help"):
                continue
            if self._refusal(ctx, spec, sender, moderator=False) is not None:
                continue
            if (
                spec.name in ("yes", "no")
                and s.kind is K.CONSENT
                and sender != _author_of_chosen(s)
            ):
                continue
            lines.append(
                ctx.t(f"help.{spec.name}", prefix="" if spec.facilitation else self._p + " ")
            )
        body = (
            ctx.t("help.header", step=self._step_title(ctx, s.kind), prefix=self._p)
            + "\n"
            + "\n".join(lines or [ctx.t("help.nothing_now")])
        )
        if direct or sender == s.facilitator:
            ctx.dm_text(sender, "help.body", body)
        else:
            ctx.say_text("help.body", body, mentions=(sender,))

    def _cmd_rules(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if not s.rules:
            ctx.answer(sender, direct, "rules.none")
            return
        rules = steps.rules_text(s)
        if direct and sender != s.facilitator:
            ctx.dm(sender, "rules.list", rules=rules)
        else:
            ctx.say("rules.list", rules=rules)

    def _cmd_rule(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        steps.add_rule(ctx, sender, args, mid)

    def _cmd_problem(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        steps.submit_problem(ctx, sender, args, mid)

    def _cmd_vote(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if s.tie is not None:
            ctx.dm(sender, "vote.closed_tie")
            return
        if not args:
            ctx.dm(sender, "vote.how", prefix=self._p, mine=_my_votes(ctx, sender))
            return
        try:
            numbers = parse_ballot(args)
            check_ballot(numbers, s.candidates)
        except VoteRefusal as refusal:
            ctx.dm(sender, refusal.key, **refusal.params)
            return
        s.votes = [v for v in s.votes if not (v.voter == sender and v.round == s.vote_round)]
        for number in numbers:
            s.votes.append(
                Vote(voter=sender, number=number, weight=1, source="text", round=s.vote_round)
            )
        ctx.record("vote", sender, " ".join(str(n) for n in numbers), round=str(s.vote_round))
        ctx.react(mid)
        ctx.dm(sender, "vote.counted", mine=_my_votes(ctx, sender), left=3 - len(numbers))

    def _cmd_yes(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._answer(ctx, sender, True, mid)

    def _cmd_no(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._answer(ctx, sender, False, mid)

    def _answer(self, ctx: Ctx, sender: str, yes: bool, mid: str | None) -> None:
        s = ctx.s
        if s.kind is K.CONSENT:
            if s.chosen is None or sender != _author_of_chosen(s):
                ctx.dm(
                    sender, "refusal.only_chosen_author", name=s.name(_author_of_chosen(s) or "")
                )
                return
            ctx.react(mid)
            steps.consent_answer(ctx, sender, yes)
        elif s.kind is K.RECORD:
            ctx.react(mid)
            steps.record_answer(ctx, sender, yes)

    def _cmd_request(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        steps.set_request(ctx, sender, args, mid)

    def _cmd_hand(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        ctx.react(mid)
        steps.hand(ctx, sender, direct)

    def _cmd_done(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        ctx.react(mid)
        ctx.say("turns.thanks", name=ctx.s.name(sender))
        steps.next_speaker(ctx)

    def _cmd_pass(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        ctx.react(mid)
        ctx.say("turns.passed", name=ctx.s.name(sender))
        steps.next_speaker(ctx)

    def _cmd_keep(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        steps.keep(ctx, sender, args, direct=direct)

    def _cmd_action(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        steps.add_action(ctx, sender, args, mid)

    def _cmd_feeling(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        if not args:
            ctx.dm(sender, "feeling.scale")
            return
        steps.add_feeling(ctx, sender, args, mid, direct=direct)

    def _cmd_facilitate(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if sender == s.facilitator:
            ctx.dm(sender, "facilitate.already")
            return
        if sender == s.offerer:
            ctx.dm(sender, "facilitate.offerer_cannot")
            return
        if sender in s.participants:
            self._leave(ctx, sender, announce=False)
        previous = s.facilitator
        s.people.setdefault(sender, Person(user_id=sender, name=name or sender))
        s.facilitator = sender
        s.facilitator_name = s.name(sender)
        ctx.record("facilitation", sender, previous)
        ctx.say("facilitate.taken", name=s.facilitator_name, previous=s.name(previous))
        ctx.dm(sender, "roles.facilitator", name=s.facilitator_name)

    # -- facilitation --------------------------------------------------------------------------
    def _cmd_next(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        ctx.react(mid)
        steps.advance(ctx)
        self._confirm(ctx, sender, direct)

    def _cmd_extend(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._change_time(ctx, sender, args, direct, sign=1)

    def _cmd_shorten(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        self._change_time(ctx, sender, args, direct, sign=-1)

    def _change_time(self, ctx: Ctx, sender: str, args: str, direct: bool, sign: int) -> None:
        s = ctx.s
        minutes = _positive_number(args)
        if minutes is None:
            ctx.dm(
                sender,
                "facilitator.minutes_needed",
                command=_shown(ctx, "extend" if sign > 0 else "shorten"),
            )
            return
        left = ctx.remaining("step")
        if left is None:
            left = 0.0
        new_left = max(0.0, left + sign * ctx.seconds(minutes))
        deadline = ctx.now + new_left
        ctx.set_timer("step", deadline)
        one_minute = ctx.seconds(1)
        if new_left > one_minute:
            ctx.set_timer("warning", deadline - one_minute)
        else:
            ctx.clear_timer("warning")
        planned = steps.planned_end(ctx)
        step_end = clock.clock(deadline, s.timezone)
        ctx.say(
            "time.extended" if sign > 0 else "time.shortened",
            minutes=clock.minutes_text(ctx.seconds(minutes), s.seconds_per_minute, ctx.lang),
            title=self._step_title(ctx, s.kind),
            step_end=step_end,
        )
        ctx.dm(sender, "facilitator.planned_end", planned=clock.clock(planned, s.timezone))
        if s.announced_end is not None and planned > s.announced_end + 1:
            ctx.dm(
                sender,
                "facilitator.plan_exceeds_end",
                planned=clock.clock(planned, s.timezone),
                end=clock.clock(s.announced_end, s.timezone),
            )

    def _cmd_pause(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if s.paused is not None:
            ctx.dm(sender, "pause.already")
            return
        s.paused = {n: max(0.0, at - ctx.now) for n, at in s.timers.items()}
        s.timers = {}
        ctx.say("pause.paused", facilitator=s.facilitator_name)
        self._confirm(ctx, sender, direct)

    def _cmd_resume(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if s.paused is None:
            ctx.dm(sender, "pause.not_paused")
            return
        s.timers = {n: ctx.now + left for n, left in s.paused.items()}
        s.paused = None
        left = ctx.remaining("step")
        ctx.say(
            "pause.resumed",
            title=self._step_title(ctx, s.kind),
            minutes=clock.minutes_text(left or 0, s.seconds_per_minute, ctx.lang),
        )
        self._confirm(ctx, sender, direct)

    def _cmd_back(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        if s.step_index == 0:
            ctx.dm(sender, "goto.at_start")
            return
        self._jump(ctx, sender, s.step_index - 1, direct)

    def _cmd_goto(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        target = _find_step(s, args)
        if target is None:
            listing = ", ".join(f"{i + 1} ({step.id})" for i, step in enumerate(s.format.steps))
            ctx.dm(sender, "goto.unknown", target=args or "?", steps=listing)
            return
        self._jump(ctx, sender, target, direct)

    def _jump(self, ctx: Ctx, sender: str, index: int, direct: bool) -> None:
        s = ctx.s
        step = s.format.steps[index]
        if step.kind in NEEDS_OFFERER and s.offerer is None:
            ctx.dm(sender, "goto.needs_offerer", title=self._step_title(ctx, step.kind))
            return
        if step.kind in (K.PROBLEM_SHARING, K.CHOICE) and not s.problems:
            ctx.dm(sender, "goto.needs_problems", title=self._step_title(ctx, step.kind))
            return
        if step.kind is K.CONSENT and not s.ranking:
            ctx.dm(sender, "goto.needs_choice", title=self._step_title(ctx, step.kind))
            return
        if step.kind is K.CHOICE and index < s.step_index:
            s.vote_round = 0
            s.candidates = []
        ctx.say("goto.moved", title=self._step_title(ctx, step.kind))
        steps.start_step(ctx, index)
        self._confirm(ctx, sender, direct)

    def _cmd_end(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        record_index = s.format.index_of(K.RECORD)
        if s.kind is K.RECORD or record_index is None or s.offerer is None:
            if s.kind is K.RECORD:
                steps.conclude_record(ctx)
            steps.finish_atelier(ctx)
            return
        ctx.say("end.to_record")
        steps.start_step(ctx, record_index)

    def _cmd_choose(
        self, ctx: Ctx, sender: str, name: str, args: str, direct: bool, mid: str | None
    ) -> None:
        s = ctx.s
        number = _positive_number(args)
        if s.tie is None:
            ctx.dm(sender, "tie.none")
            return
        if number is None or int(number) not in s.tie.numbers:
            listing = ", ".join(f"#{n}" for n in s.tie.numbers)
            ctx.dm(sender, "tie.pick_among", numbers=listing)
            return
        steps.settle_tie(ctx, int(number))

    def _confirm(self, ctx: Ctx, sender: str, direct: bool) -> None:
        if direct and ctx.has_atelier:
            s = ctx.s
            ctx.dm(sender, "facilitator.done", title=self._step_title(ctx, s.kind))

    # -- reactions -----------------------------------------------------------------------------
    def _on_reaction(self, ctx: Ctx, event: ReactionAdded) -> None:
        s = ctx.s
        ref, key, user = event.ref, event.key, event.sender
        if ref == "welcome" and key == "hand":
            if (
                user != s.facilitator
                and user not in s.participants
                and not s.reached(K.PROBLEM_SEARCH)
            ):
                self._join(ctx, user, event.sender_name, None)
            return
        if ref.startswith("card:") and key in VOTE_WEIGHTS:
            self._vote_by_reaction(ctx, event)
            return
        if ref.startswith("consent:") and key in ("yes", "no") and s.kind is K.CONSENT:
            if ref == f"consent:{s.chosen}" and user == _author_of_chosen(s):
                steps.consent_answer(ctx, user, key == "yes")
            elif user != s.facilitator:
                ctx.dm(user, "refusal.only_chosen_author", name=s.name(_author_of_chosen(s) or ""))
            return
        if ref == "record_consent" and key in ("yes", "no") and s.kind is K.RECORD:
            if user in s.participants:
                steps.record_answer(ctx, user, key == "yes")
            return
        if ref == "floor" and key == "hand" and s.kind in (K.CLARIFICATION, K.EXCHANGES):
            refusal = self._refusal(ctx, _spec("hand"), user, moderator=False)
            if refusal is not None:
                ctx.dm(user, refusal[0], **refusal[1])
                return
            steps.hand(ctx, user, direct=True)

    def _vote_by_reaction(self, ctx: Ctx, event: ReactionAdded) -> None:
        s = ctx.s
        user = event.sender
        number, round_ = _card(event.ref)
        if number is None or s.kind is not K.CHOICE or round_ != s.vote_round or s.tie is not None:
            ctx.dm(user, "vote.closed")
            return
        if user == s.facilitator:
            ctx.dm(user, "vote.facilitator_does_not_vote")
            return
        if user not in s.participants:
            ctx.dm(user, "refusal.not_participant", facilitator=s.facilitator_name)
            return
        current = s.current_votes
        if any(v.voter == user and v.number == number and v.source == event.key for v in current):
            return
        weight = VOTE_WEIGHTS[event.key]
        try:
            check_new_vote(current, user, number, weight)
        except VoteRefusal as refusal:
            ctx.dm(user, refusal.key, **refusal.params)
            return
        s.votes.append(
            Vote(voter=user, number=number, weight=weight, source=event.key, round=s.vote_round)
        )
        ctx.record("vote", user, str(number), weight=str(weight), round=str(s.vote_round))
        mine = votes_of(s.current_votes, user)
        ctx.dm(user, "vote.counted", mine=_my_votes(ctx, user), left=3 - sum(mine.values()))

    def _on_reaction_removed(self, ctx: Ctx, event: ReactionRemoved) -> None:
        s = ctx.s
        if not event.ref.startswith("card:") or s.kind is not K.CHOICE:
            return
        number, round_ = _card(event.ref)
        for vote in s.votes:
            if (
                vote.voter == event.sender
                and vote.number == number
                and vote.source == event.key
                and vote.round == round_
            ):
                s.votes.remove(vote)
                ctx.record("vote_removed", event.sender, str(number), weight=str(vote.weight))
                ctx.dm(
                    event.sender, "vote.removed", number=number, mine=_my_votes(ctx, event.sender)
                )
                return

    # -- edits, departures, timers -------------------------------------------------------------
    def _on_edit(self, ctx: Ctx, event: MessageEdited) -> None:
        s = ctx.s
        parsed = parse(event.text, self._p, direct=False)
        text = parsed.args if isinstance(parsed, Command) else event.text.strip()
        if not text:
            return
        if s.request_message_id == event.original_id and event.sender == s.offerer:
            steps.set_request(ctx, event.sender, text, event.original_id)
            return
        for problem in s.problems:
            if problem.message_id == event.original_id and problem.author == event.sender:
                if s.kind is K.PROBLEM_SEARCH:
                    steps.submit_problem(ctx, event.sender, text, event.original_id)
                return
        lists = (
            s.rules,
            s.questions,
            s.contributions,
            s.actions,
            s.sharings,
            s.situation,
            s.answers,
        )
        for items in lists:
            for index, entry in enumerate(items):
                if entry.message_id == event.original_id and entry.author == event.sender:
                    items[index] = entry.model_copy(update={"text": text})
                    ctx.record("edit", event.sender, text, message=event.original_id)
                    return

    def _on_member_left(self, ctx: Ctx, event: MemberLeft) -> None:
        s = ctx.s
        if event.bot_removed:
            for name in list(s.timers):
                ctx.clear_timer(name)
            s.finished = True
            ctx.record("bot_removed", event.sender, "")
            return
        if event.sender in s.participants:
            self._leave(ctx, event.sender, announce=True)
        elif event.sender == s.facilitator:
            ctx.say("facilitator.left_room", name=s.facilitator_name, prefix=self._p)

    def _on_timer(self, ctx: Ctx, event: TimerFired) -> None:
        s = ctx.s
        expected = s.timers.get(event.name)
        if expected is None or abs(expected - event.at) > 1e-6:
            return  # stale: the deadline moved or was cleared since
        if event.name == "step":
            steps.on_deadline(ctx)
        elif event.name == "warning":
            steps.on_warning(ctx)
        elif event.name == "turn":
            steps.on_turn_timeout(ctx)
        else:
            ctx.clear_timer(event.name)


# -- small helpers -----------------------------------------------------------------------------
#: Commands that are nothing without their text, and the text that says how to write them.
_NEEDS_TEXT = {"rule": "rules.how", "problem": "problem.how", "request": "request.how"}


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


def _spec(name: str) -> CommandSpec:
    return next(spec for spec in COMMANDS if spec.name == name)


def _shown(ctx: Ctx, name: str) -> str:
    """A command as the person would type it in their language."""
    spec = _spec(name)
    if ctx.lang == "fr" and spec.aliases:
        return ctx.t(f"command.word.{name}")
    return name


def _author_of_chosen(s: AtelierState) -> str | None:
    if s.chosen is None:
        return None
    problem = s.problem(s.chosen)
    return problem.author if problem else None


def _my_votes(ctx: Ctx, user: str) -> str:
    mine = votes_of(ctx.s.current_votes, user)
    if not mine:
        return ctx.t("vote.none")
    return ", ".join(f"#{n} ×{count}" for n, count in sorted(mine.items()))


def _card(ref: str) -> tuple[int | None, int]:
    body = ref.removeprefix("card:")
    number, _, round_ = body.partition("@")
    if not number.isdigit():
        return None, -1
    return int(number), int(round_) if round_.isdigit() else 0


def _positive_number(args: str) -> float | None:
    token = args.strip().split(" ")[0].replace(",", ".") if args.strip() else ""
    try:
        value = float(token)
    except ValueError:
        return None
    return value if 0 < value <= 600 else None


def _find_step(s: AtelierState, target: str) -> int | None:
    wanted = normalize(target)
    if wanted.isdigit():
        index = int(wanted) - 1
        return index if 0 <= index < len(s.format.steps) else None
    for index, step in enumerate(s.format.steps):
        if wanted in (step.id, step.kind.value):
            return index
    return None


def _parse_start(args: str) -> dict[str, str]:
    options: dict[str, str] = {}
    tokens = args.split()
    i = 0
    while i < len(tokens):
        token = tokens[i].lower()
        if token in ("--end", "--fin") and i + 1 < len(tokens):
            options["end"] = tokens[i + 1]
            i += 2
        elif token in ("--lang", "--langue") and i + 1 < len(tokens):
            options["lang"] = tokens[i + 1].lower()
            i += 2
        elif not token.startswith("--") and "format" not in options:
            options["format"] = token
            i += 1
        else:
            i += 1
    return options


def _timer_changes(room: RoomId, before: dict[str, float], after: dict[str, float]) -> list[Effect]:
    changes: list[Effect] = []
    for name, at in after.items():
        if before.get(name) != at:
            changes.append(StartTimer(room=room, name=name, at=at))
    for name in before:
        if name not in after:
            changes.append(CancelTimer(room=room, name=name))
    return changes
