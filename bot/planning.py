"""The planner: ``decide(agenda, event, now) -> PlanDecision``, pure like the engine.

It holds a room's agenda (``bot.agenda``): planning commands, reactions to invitations and
date slots, private answers to the questions it asked (check-in, follow-up) and the planner's
own timers (``plan:N:invite|first|last|open|poll|followup|expire``) come here, routed by the
runtime (``takes``). When a session's time comes, the decision carries a ``PlannedOpening`` that the
runtime hands to the atelier's engine in the same transaction (``bot.start.open_planned``).

Downtime is never silent: a reminder whose moment passed while the bot was down is sent once
if it is still true (the session is ahead, and no later reminder is due), else passed over;
a session whose start passed opens late with a word within the grace period, and is reported
missed after it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.agenda import (
    TIMER_PREFIX,
    Agenda,
    Planned,
    PlanSettings,
    deadlines,
    next_job,
    timer_of,
)
from bot.commands import PLANNING, Command, Unknown, normalize, parse
from bot.effects import Effect
from bot.events import (
    DirectMessage,
    Event,
    MemberLeft,
    MessagePosted,
    PlannedOpening,
    ReactionAdded,
    ReactionRemoved,
    TimerFired,
)
from bot.flood import Refusals
from bot.formats import Format
from bot.ids import RoomId, UserId
from bot.planning_commands import (
    HANDLERS,
    PlanCall,
    PlanCtx,
    PlanWork,
    come,
    invite,
    stay_away,
    told,
)
from bot.planning_follow_up import answer_follow_up, ask_follow_up, plan_follow_up
from bot.planning_polls import SLOT_REF, suits
from bot.sizes import INPUT_MAX, too_long
from bot.start import EngineSettings
from bot.texts import render
from bot.timers import timer_changes

__all__ = ["PlanDecision", "Planner"]

#: reactions on an invitation that say « I am coming »
COMING_KEYS = frozenset({"hand", "yes", "thumbsup"})
#: commands that mean something in a private message when no atelier runs
_WITHOUT_ATELIER = frozenset({"help", "status", "archives", "history", "my-data", "forget-me"})
#: the bare words, typed alone in a room without an atelier, that say one comes (or not)
_BARE = re.compile(
    r"(?:(?P<come>je viens|i'?m coming)|je ne viens (?:pas|plus)|i'?m not coming)"
    r"(?: (?:n°|#)?(?P<number>\d{1,3}))?"
)


@dataclass(frozen=True, slots=True)
class PlanDecision:
    agenda: Agenda | None  # the one given when nothing changed
    effects: list[Effect]
    opening: PlannedOpening | None = None


class Planner:
    def __init__(
        self, settings: EngineSettings, plan: PlanSettings, formats: Mapping[str, Format]
    ) -> None:
        self.settings = settings
        self.plan = plan
        self.formats = dict(formats)

    # -- routing ---------------------------------------------------------------------------
    def takes(
        self,
        event: Event,
        agenda: Agenda | None,
        atelier_running: bool,
        *,
        takes_part: bool = False,
    ) -> bool:
        """Whether ``event`` is the planner's (else it is the atelier engine's).
        ``takes_part``: the sender is in the atelier running there, whose private words
        (a problem, a rebond…) come before an answer to the planner's question."""
        match event:
            case MessagePosted():
                return self._command(event.text, agenda, atelier_running) is not None
            case DirectMessage():  # an answer to a question it asked, not a command
                waiting = agenda is not None and agenda.awaits(event.sender) is not None
                return waiting and not takes_part and not self._asks_something(event.text)
            case ReactionAdded() | ReactionRemoved():
                return event.ref.startswith(TIMER_PREFIX)
            case TimerFired():
                return timer_of(event.name) is not None
            case _:
                return False

    def _command(
        self, text: str, agenda: Agenda | None, atelier_running: bool
    ) -> tuple[str, str] | None:
        """A planning command typed with the prefix; or, in a room with an invitation out and
        no atelier running, « je viens » / « je ne viens pas » alone (with a number at most)."""
        parsed = parse(text, self.settings.command_prefix, direct=False)
        if isinstance(parsed, Command):
            return (parsed.name, parsed.args) if parsed.name in PLANNING else None
        if isinstance(parsed, Unknown) and normalize(parsed.word) == "je":
            return _bare(text.split(None, 1)[1])  # « !atelier je viens »
        if parsed is not None or atelier_running:
            return None  # an unknown command is the engine's; in an atelier, words are its
        if agenda is None or not any(p.invited for p in agenda.sessions):
            return None  # people talking: « je viens de finir » is no answer to anything
        return _bare(text)

    # -- deciding --------------------------------------------------------------------------
    def decide(
        self,
        agenda: Agenda | None,
        event: Event,
        now: float,
        busy: bool = False,
        refusals: Refusals | None = None,
    ) -> PlanDecision:
        """``busy``: an atelier is running in the room (a session due now cannot open);
        ``refusals``: the room's answered refusals (``bot.flood``), updated in place."""
        room = str(event.room)
        work_agenda = (
            agenda.model_copy(deep=True)
            if agenda is not None
            else Agenda(room=room, lang=self.settings.language, timezone="")
        )
        work_agenda.timezone = self.settings.timezone_for(room)  # the configured one, now
        ctx = PlanCtx(room, work_agenda.lang, now, self.settings.command_prefix)
        work = PlanWork(ctx, work_agenda, self.settings, self.plan, self.formats, busy=busy)
        if refusals is not None:
            work.refusals = refusals
        match event:
            case MessagePosted():
                self._on_command(work, event)
            case ReactionAdded() | ReactionRemoved() if event.ref.startswith(SLOT_REF):
                if event.key in COMING_KEYS:
                    name = event.sender_name if isinstance(event, ReactionAdded) else ""
                    suits(work, event.ref, event.sender, name, isinstance(event, ReactionAdded))
            case ReactionAdded():
                session = self._invited(work, event.ref)
                if session is not None and event.key in COMING_KEYS:
                    come(work, session, event.sender, event.sender_name)
            case ReactionRemoved():
                session = self._invited(work, event.ref)
                if session is not None and event.key in COMING_KEYS:
                    stay_away(work, session, event.sender)
            case TimerFired():
                self._on_timer(work, event)
            case DirectMessage():
                self._on_check_in(work, event)
            case MemberLeft(bot_removed=True):
                self._removed(work)
        changed = work_agenda != agenda and (agenda is not None or not work_agenda.empty)
        after = work_agenda if changed else agenda
        effects = ctx.effects + timer_changes(
            RoomId(room), next_job(agenda, self.plan), next_job(after, self.plan)
        )
        return PlanDecision(after, effects, work.opening)

    def _on_command(self, work: PlanWork, event: MessagePosted) -> None:
        work.ctx.from_room, work.ctx.reply_thread = True, event.thread
        found = self._command(event.text, work.agenda, atelier_running=False)
        if found is None:
            return
        name, args = found
        call = PlanCall(
            work, event.sender, event.sender_name, args, event.moderator, event.message_id
        )
        HANDLERS[name](call)

    def forget(self, agenda: Agenda | None, user: str) -> Agenda | None:
        """``forget-me``: the person leaves every session's list of who comes, and a session
        they planned shows a neutral mention instead of their name. None: nothing changed."""
        if agenda is None:
            return None
        work = agenda.model_copy(deep=True)
        neutral = render(work.lang, "privacy.neutral")
        work.follow_ups = [f for f in work.follow_ups if f.offerer != user]
        for f in work.follow_ups:
            if user in f.listeners:
                f.listeners.remove(user)
        for poll in work.polls:
            for slot in poll.slots:
                slot.suits.pop(user, None)
        for session in work.sessions:
            session.coming.pop(user, None)
            session.answers.pop(user, None)
            if user in session.asked:
                session.asked.remove(user)
            if session.facilitator == user:
                session.facilitator_name = neutral
        return work if work != agenda else None

    @staticmethod
    def _invited(work: PlanWork, ref: str) -> Planned | None:
        number = ref[len(TIMER_PREFIX) :]
        return work.agenda.session(int(number)) if number.isdigit() else None

    # -- time ------------------------------------------------------------------------------
    def _on_timer(self, work: PlanWork, event: TimerFired) -> None:
        found = timer_of(event.name)
        expected = deadlines(work.agenda, self.plan).get(event.name)
        if found is None or expected is None or abs(expected - event.at) > 1e-6:
            return  # stale: the session moved, was cancelled, or this was done
        if found[1] == "followup":
            ask_follow_up(work, found[0])
            return
        if found[1] == "poll":
            poll = next(p for p in work.agenda.polls if p.number == found[0])
            work.agenda.polls.remove(poll)
            work.ctx.say("agenda.poll_closed", number=poll.number)
            return
        if found[1] == "expire":
            work.agenda.follow_ups = [f for f in work.agenda.follow_ups if f.number != found[0]]
            return
        session = work.agenda.session(found[0])
        assert session is not None
        now, plan = work.ctx.now, self.plan
        match found[1]:
            case "invite":
                if now < session.start:
                    invite(work, session)
                else:
                    session.invited = True  # the opening says it all now
            case "first":
                session.reminded.append("first")
                if session.invited and now < session.start - plan.last_reminder:
                    self._remind(work, session, "agenda.reminder_first")
                    if session.check_in:
                        self._ask_check_in(work, session)
            case "last":
                session.reminded.append("last")
                if session.invited and now < session.start:
                    self._remind(work, session, "agenda.reminder_last")
            case "open":
                self._open(work, session, event.room)

    def _asks_something(self, text: str) -> bool:
        """A private message that is a command (prefixed, or a short `aide`, `mes-données`…
        that means something without an atelier), not an answer: « Garder nos bénévoles
        après l'été » answers, though `garder` is a command word."""
        parsed = parse(text, self.settings.command_prefix, direct=True)
        if not isinstance(parsed, Command):
            return False
        return parsed.prefixed or (parsed.name in _WITHOUT_ATELIER and len(text.split()) <= 3)

    @staticmethod
    def check_in_room(agendas: Mapping[str, Agenda], user: str) -> str | None:
        """The room whose session asked ``user`` the check-in question (their next private
        message is their answer, when no atelier claims it)."""
        found = [(a.awaits(user), room) for room, a in agendas.items()]
        asked = [(at, room) for at, room in found if at is not None]
        return min(asked)[1] if asked else None

    def _on_check_in(self, work: PlanWork, event: DirectMessage) -> None:
        """An answer to the check-in: kept for the opening, told to the facilitator only; or
        to the follow-up: appended to the record."""
        ctx, session = work.ctx, work.agenda.asking(event.sender)
        text = event.text.strip()
        if not text:
            return
        if too_long(text):
            ctx.dm(event.sender, "safety.too_long", length=len(text), most=INPUT_MAX)
            return
        follow_up = work.agenda.following(event.sender)
        if follow_up is not None:
            answer_follow_up(work, follow_up, text)
            return
        if session is None:
            return
        session.answers[event.sender] = text
        name = session.coming.get(event.sender, event.sender_name)
        ctx.dm(event.sender, "agenda.check_in_noted", number=session.number)
        ctx.dm(
            session.facilitator,
            "agenda.check_in_for_facilitator",
            number=session.number,
            name=name,
            answer=text,
        )

    def ended(
        self,
        agenda: Agenda | None,
        room: str,
        atelier_id: str,
        offerer: str,
        started: float,
        now: float,
        listeners: tuple[str, ...] = (),
    ) -> Agenda | None:
        """An atelier with an offerer ended: plan its cold follow-up (None: none planned);
        ``listeners`` asked to be told the answer."""
        if agenda is None:
            agenda = Agenda(
                room=room, lang=self.settings.language, timezone=self.settings.timezone_for(room)
            )
        default = self.plan.follow_up
        return plan_follow_up(agenda, atelier_id, offerer, started, now, default, listeners)

    def _ask_check_in(self, work: PlanWork, session: Planned) -> None:
        for user in session.coming:
            if user not in session.asked:
                session.asked.append(user)
                work.ctx.dm(
                    user,
                    "agenda.check_in_question",
                    number=session.number,
                    date=work.when(session.start),
                )

    def _removed(self, work: PlanWork) -> None:
        """The bot was removed from the room: nothing planned there can happen; those coming
        are told privately, and the room's agenda is emptied (kept nowhere)."""
        for session in work.agenda.sessions:
            told(work, session, "agenda.cancelled_dm", date=work.when(session.start))
        work.agenda.sessions, work.agenda.polls, work.agenda.follow_ups = [], [], []
        work.agenda.follow_up_days = None

    def _remind(self, work: PlanWork, session: Planned, key: str) -> None:
        """Said in the room (a mention of who comes) and privately to each of them: the
        session's date, absolute, so the words stay true whenever they are read."""
        ctx = work.ctx
        minutes = max(1, round((session.start - ctx.now) / 60))
        ctx.say(
            key,
            mentions=tuple(session.coming),
            number=session.number,
            date=work.when(session.start),
            minutes=minutes,
            count=len(session.coming),
        )
        for user in (session.facilitator, *session.coming):
            ctx.dm(user, key + "_dm", number=session.number, date=work.when(session.start))

    def _open(self, work: PlanWork, session: Planned, room: str) -> None:
        ctx = work.ctx
        work.agenda.sessions.remove(session)
        late = ctx.now - session.start
        date = work.when(session.start)
        if late > self.plan.late_grace:
            ctx.say("agenda.missed", number=session.number, date=date)
            for user in (session.facilitator, *session.coming):
                ctx.dm(user, "agenda.missed_dm", number=session.number, date=date)
            return
        if work.busy:
            ctx.say("agenda.busy", number=session.number)
            return
        if late > 60:
            ctx.say("agenda.opening_late", number=session.number, minutes=round(late / 60))
        else:
            ctx.say("agenda.opening", number=session.number)
        work.opening = PlannedOpening(
            room=RoomId(room),
            facilitator=UserId(session.facilitator),
            facilitator_name=session.facilitator_name,
            people=tuple((UserId(u), name) for u, name in session.coming.items()),
            format=session.format,
            end=session.end,
            seeds=tuple((UserId(u), text) for u, text in session.answers.items()),
        )


def _bare(text: str) -> tuple[str, str] | None:
    found = _BARE.fullmatch(normalize(text.replace("’", "'")).rstrip(" !."))
    if found is None:
        return None
    return ("coming" if found["come"] else "not-coming"), found["number"] or ""
