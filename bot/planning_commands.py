"""The planning commands: ``plan`` (``planifier``), ``agenda``, ``coming`` (``viens``),
``not-coming`` (``absent``), ``cancel`` (``annuler``) and ``move`` (``déplacer``).

Each works on a ``PlanWork``: the room's agenda being built, the words to say, and the
atelier to open if one is due. A bad input is answered with the form expected and changes
nothing. Cancelling or moving a session is for who planned it, or a room moderator; everyone
who said they would come is told privately.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot import clock, when
from bot.agenda import Agenda, Planned, PlanSettings
from bot.context import Ctx
from bot.events import PlannedOpening
from bot.flood import Refusals, may_answer_in
from bot.formats import Format
from bot.numbers import whole
from bot.planning_follow_up import follow_up
from bot.planning_polls import close_poll, date_poll, slot_time
from bot.start import EngineSettings, may_start
from bot.steps.base import longest_minutes

__all__ = ["HANDLERS", "PlanCall", "PlanCtx", "PlanWork", "invite", "told"]


class PlanCtx(Ctx):
    """The words of the planner: a ``Ctx`` without an atelier, that knows the prefix."""

    def __init__(self, room: str, lang: str, now: float, prefix: str) -> None:
        super().__init__(None, room, lang, now)
        self.prefix = prefix

    def t(self, key: str, **params: object) -> str:
        params.setdefault("prefix", self.prefix)
        return super().t(key, **params)


@dataclass(slots=True)
class PlanWork:
    ctx: PlanCtx
    agenda: Agenda
    settings: EngineSettings
    plan: PlanSettings
    formats: Mapping[str, Format]
    busy: bool = False  # an atelier runs in the room
    opening: PlannedOpening | None = None
    #: the room's answered refusals (``bot.flood``): kept in memory by the runtime
    refusals: Refusals = field(default_factory=dict)

    def when(self, at: float) -> str:
        return when.spoken(at, self.agenda.timezone, self.ctx.lang, self.ctx.now)


@dataclass(frozen=True, slots=True)
class PlanCall:
    work: PlanWork
    user: str
    name: str
    args: str
    moderator: bool
    message_id: str | None

    def answer(self, key: str, **params: object) -> None:
        """Reply in the room, naming the person — a few times per window at most
        (``bot.flood``): a flood of bad commands queues no flood of replies."""
        if may_answer_in(self.work.refusals, self.user, self.work.ctx.now):
            self.work.ctx.answer(self.user, False, key, **params)


@dataclass(slots=True)
class _Options:
    words: list[str] = field(default_factory=list)
    end: str | None = None
    format: str | None = None
    every: str | None = None
    count: str | None = None
    check_in: bool = False


_FLAGS = {
    "--fin": "end",
    "--end": "end",
    "--format": "format",
    "--tous-les": "every",
    "--every": "every",
    "--fois": "count",
    "--count": "count",
}


def _options(args: str) -> _Options | None:
    options = _Options()
    tokens = args.split()
    i = 0
    while i < len(tokens):
        flag = _FLAGS.get(tokens[i].lower())
        if tokens[i].lower() in ("--questionnaire", "--check-in"):
            options.check_in = True
            i += 1
        elif flag is not None:
            if i + 1 >= len(tokens):
                return None
            setattr(options, flag, tokens[i + 1])
            i += 2
        elif tokens[i].startswith("--"):
            return None
        else:
            options.words.append(tokens[i])
            i += 1
    return options


# -- plan ----------------------------------------------------------------------------------------
def plan(call: PlanCall) -> None:
    """``planifier 12/01 14h [--fin 16h30] [--format ID] [--tous-les 2s --fois 13]``."""
    work, ctx = call.work, call.work.ctx
    if not may_start(work.settings, call.user, call.moderator):
        call.answer("agenda.not_allowed")
        return
    options = _options(call.args)
    slot = whole(options.words[0]) if options is not None and len(options.words) == 1 else None
    if options is None or (len(options.words) != 2 and slot is None):
        call.answer("agenda.usage")
        return
    if slot is not None:  # « planifier 7 »: slot n° 7 of a date poll
        chosen = slot_time(call, slot)
        if chosen is None:
            return
        if chosen <= ctx.now:
            call.answer("agenda.bad_past", typed=work.when(chosen))
            return
        start = chosen
    else:
        words = options.words
        moment = when.parse_moment(words[0], words[1], ctx.now, work.agenda.timezone)
        if moment.at is None:
            _bad_moment(call, moment.problem, words[0], words[1])
            return
        start = moment.at
    end: float | None = None
    if options.end is not None:
        end = _end_after(options.end, start, work.agenda.timezone)
        if end is None:
            call.answer("agenda.bad_end", end=options.end)
            return
    if options.format is not None and options.format.lower() not in work.formats:
        formats = ", ".join(sorted(work.formats))
        call.answer("agenda.unknown_format", format=options.format, formats=formats)
        return
    every, count = 0, 1
    if options.every is not None or options.count is not None:
        every = when.every_days(options.every or "") or 0
        count = whole(options.count or "") or 0
        if not every or not 2 <= count <= 52:
            call.answer("agenda.bad_cycle")
            return
    if len(work.agenda.sessions) + count > work.plan.most_sessions:
        call.answer("agenda.too_many", most=work.plan.most_sessions)
        return
    if slot is not None:
        close_poll(work, slot)
    first = work.agenda.next_number
    for i in range(count):
        shift = i * every * 86_400
        session = Planned(
            number=work.agenda.next_number,
            start=_same_clock(start, shift, work.agenda.timezone),
            end=_same_clock(end, shift, work.agenda.timezone) if end is not None else None,
            format=options.format.lower() if options.format else None,
            facilitator=call.user,
            facilitator_name=call.name,
            cycle=first if count > 1 else None,
            check_in=options.check_in,
        )
        _skip_passed_reminders(session, ctx.now, work.plan)
        work.agenda.sessions.append(session)
        work.agenda.next_number += 1
    work.agenda.sessions.sort(key=lambda p: p.start)
    ctx.react(call.message_id)
    if count > 1:
        dates = "\n".join(
            ctx.t("agenda.cycle_line", number=p.number, date=work.when(p.start))
            for p in work.agenda.sessions
            if p.cycle == first
        )
        days = round(work.plan.invite_ahead / 86_400)
        ctx.say("agenda.cycle", count=count, lines=dates, days=days)
    first_session = work.agenda.session(first)
    assert first_session is not None
    invite(work, first_session)


def _bad_moment(call: PlanCall, problem: str | None, day: str, time: str) -> None:
    """Say what was not understood (as typed: user text) and the form expected."""
    typed = {"date": day, "time": time}.get(problem or "", f"{day} {time}")
    call.answer(f"agenda.bad_{problem}", typed=typed)


def _end_after(text: str, start: float, tz: str) -> float | None:
    """``16h30`` on the day of ``start``, after it (a day at most)."""
    parsed = clock.parse_clock(text)
    if parsed is None:
        return None
    end = clock.next_clock_time(text, start, tz)
    return end if end is not None and end - start <= 12 * 3_600 else None


def _same_clock(at: float, shift: float, tz: str) -> float:
    """``at`` moved by whole days, at the same clock time (summer time changes included)."""
    if not shift:
        return at
    local = datetime.fromtimestamp(at, tz=clock.zone(tz))
    moved = (local.replace(tzinfo=None) + timedelta(seconds=shift)).replace(tzinfo=local.tzinfo)
    return moved.astimezone(UTC).timestamp()


def _skip_passed_reminders(session: Planned, now: float, plan: PlanSettings) -> None:
    """A session planned for tomorrow morning gets no « tomorrow » reminder: it is not news."""
    for what, lead in (("first", plan.first_reminder), ("last", plan.last_reminder)):
        if session.start - lead <= now and what not in session.reminded:
            session.reminded.append(what)


def invite(work: PlanWork, session: Planned) -> None:
    """Post the invitation of ``session``; reactions to it say who comes."""
    ctx = work.ctx
    session.invited = True
    fmt = work.formats.get(session.format or work.settings.default_format)
    if session.end:
        duration = when.spoken_duration(session.end - session.start, ctx.lang)
    elif fmt is not None:  # as long as the end the atelier will announce when it opens
        longest = when.spoken_duration(longest_minutes(fmt) * 60, ctx.lang)
        duration = ctx.t("agenda.duration_format", duration=longest)
    else:
        duration = ctx.t("agenda.duration_open")
    ctx.say(
        "agenda.invitation",
        ref=f"plan:{session.number}",
        number=session.number,
        date=work.when(session.start),
        duration=duration,
        facilitator=session.facilitator_name,
    )


# -- agenda --------------------------------------------------------------------------------------
def agenda(call: PlanCall) -> None:
    work, ctx = call.work, call.work.ctx
    if not work.agenda.sessions and not work.agenda.polls:
        call.answer("agenda.empty")
        return
    polls = [ctx.t("agenda.poll_open_line") for _ in work.agenda.polls[:1]]
    lines = polls + [
        ctx.t(
            "agenda.line",
            number=p.number,
            date=work.when(p.start),
            facilitator=p.facilitator_name,
            count=len(p.coming),
        )
        for p in work.agenda.sessions
    ]
    ctx.say("agenda.list", lines="\n".join(lines), reply=True)


# -- coming, not coming --------------------------------------------------------------------------
def _target(call: PlanCall) -> Planned | None:
    """The session named by number, or the next one invited; answers when there is none."""
    work = call.work
    words = call.args.split()
    if words:
        number = whole(words[0].lstrip("n°#"))
        session = work.agenda.session(number) if number is not None else None
        if session is None:
            call.answer("agenda.no_such_session", number=words[0])
        return session
    invited = [p for p in work.agenda.sessions if p.invited]
    if not invited:
        call.answer("agenda.empty")
        return None
    return invited[0]


def coming(call: PlanCall) -> None:
    session = _target(call)
    if session is not None:
        come(call.work, session, call.user, call.name)
        call.work.ctx.react(call.message_id)


def come(work: PlanWork, session: Planned, user: str, name: str) -> None:
    if user in session.coming or user == session.facilitator:
        return
    session.coming[user] = name or user
    work.ctx.dm(user, "agenda.coming_noted", number=session.number, date=work.when(session.start))


def not_coming(call: PlanCall) -> None:
    session = _target(call)
    if session is not None:
        stay_away(call.work, session, call.user)
        call.work.ctx.react(call.message_id)


def stay_away(work: PlanWork, session: Planned, user: str) -> None:
    session.answers.pop(user, None)  # a check-in answer goes with them
    if user in session.asked:
        session.asked.remove(user)
    if session.coming.pop(user, None) is not None:
        work.ctx.dm(user, "agenda.not_coming_noted", number=session.number)


# -- cancel, move --------------------------------------------------------------------------------
def _steerable(call: PlanCall, usage: str) -> Planned | None:
    words = call.args.split()
    number = whole(words[0].lstrip("n°#")) if words else None
    if number is None:
        call.answer(usage)
        return None
    session = call.work.agenda.session(number)
    if session is None:
        call.answer("agenda.no_such_session", number=words[0])
        return None
    if call.user != session.facilitator and not call.moderator:
        call.answer("agenda.not_yours", number=number, facilitator=session.facilitator_name)
        return None
    return session


def told(work: PlanWork, session: Planned, key: str, besides: str = "", **params: object) -> None:
    """Say ``key`` privately to everyone who said they would come, and the facilitator —
    ``besides`` the person who did it, who knows."""
    for user in (session.facilitator, *session.coming):
        if user != besides:
            work.ctx.dm(user, key, number=session.number, **params)


def cancel(call: PlanCall) -> None:
    """``annuler 3``; ``annuler 3 --cycle``: that session and the later ones of its cycle."""
    work = call.work
    session = _steerable(call, "agenda.cancel_usage")
    if session is None:
        return
    whole_cycle = "--cycle" in call.args.lower().split() and session.cycle is not None
    for each in [
        p
        for p in work.agenda.sessions
        if p is session or (whole_cycle and p.cycle == session.cycle and p.start > session.start)
    ]:
        work.agenda.sessions.remove(each)
        date = work.when(each.start)
        if each is session or each.invited:  # a session not yet announced needs no word
            work.ctx.say("agenda.cancelled", number=each.number, date=date)
        told(work, each, "agenda.cancelled_dm", besides=call.user, date=date)


def move(call: PlanCall) -> None:
    work = call.work
    session = _steerable(call, "agenda.move_usage")
    if session is None:
        return
    words = call.args.split()
    if len(words) != 3:
        call.answer("agenda.move_usage")
        return
    moment = when.parse_moment(words[1], words[2], work.ctx.now, work.agenda.timezone)
    if moment.at is None:
        _bad_moment(call, moment.problem, words[1], words[2])
        return
    before = work.when(session.start)
    if session.end is not None:
        session.end += moment.at - session.start
    session.start = moment.at
    session.reminded = []
    _skip_passed_reminders(session, work.ctx.now, work.plan)
    work.agenda.sessions.sort(key=lambda p: p.start)
    after = work.when(session.start)
    work.ctx.react(call.message_id)
    work.ctx.say("agenda.moved", number=session.number, before=before, date=after)
    told(work, session, "agenda.moved_dm", besides=call.user, before=before, date=after)


HANDLERS = {
    "plan": plan,
    "agenda": agenda,
    "coming": coming,
    "not-coming": not_coming,
    "cancel": cancel,
    "move": move,
    "date-poll": date_poll,
    "follow-up": follow_up,
}
