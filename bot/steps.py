"""What happens in each step: entering it, leaving it, its deadlines, and what people write.

Every function takes the ``Ctx`` of one ``decide`` call and changes its state in place.
"""

from collections.abc import Callable

from bot import clock
from bot.context import Ctx
from bot.formats import Step, StepKind
from bot.record import build_record
from bot.state import AtelierState, Entry, Problem, TieBreak
from bot.turns import give_next, raise_hand, start_fixed, take_floor
from bot.voting import ranking, tally, top

__all__ = [
    "advance",
    "conclude_record",
    "consent_answer",
    "expects_direct_text",
    "finish_atelier",
    "hand",
    "move_on",
    "next_speaker",
    "on_deadline",
    "on_direct_text",
    "on_room_text",
    "on_turn_timeout",
    "on_warning",
    "planned_end",
    "record_answer",
    "rules_text",
    "settle_tie",
    "start_step",
    "step_seconds",
]

K = StepKind
STEP_TIMERS = ("step", "warning", "turn")


# -- durations and deadlines -------------------------------------------------------------------
def step_seconds(ctx: Ctx, step: Step) -> float:
    s = ctx.s
    if step.minutes is not None:
        return ctx.seconds(step.minutes)
    people = len(s.contributors) if step.kind is K.CONTRIBUTOR_SHARING else len(s.problems)
    return ctx.seconds((step.turn_minutes or 1) * max(1, people))


def set_deadline(ctx: Ctx, duration: float) -> None:
    deadline = ctx.now + duration
    ctx.set_timer("step", deadline)
    one_minute = ctx.seconds(1)
    if duration > 2 * one_minute:
        ctx.set_timer("warning", deadline - one_minute)
    else:
        ctx.set_timer("warning", deadline - 0.2 * duration)


def planned_end(ctx: Ctx) -> float:
    """When the atelier should end if every later step takes its planned time."""
    s = ctx.s
    remaining = ctx.remaining("step") or 0.0
    later = sum(step_seconds(ctx, step) for step in s.format.steps[s.step_index + 1 :])
    return ctx.now + remaining + later


# -- moving between steps ----------------------------------------------------------------------
def start_step(ctx: Ctx, index: int) -> None:
    s = ctx.s
    for name in STEP_TIMERS:
        ctx.clear_timer(name)
    s.turns.speaker = None
    s.turns.queue = []
    s.turns.spoken = {}
    s.tie = None
    s.step_index = index
    s.step_started_at = ctx.now
    set_deadline(ctx, step_seconds(ctx, s.step))
    _ENTER[s.kind](ctx)


def move_on(ctx: Ctx) -> None:
    """Go to the next step without running the current step's closing (already done)."""
    s = ctx.s
    if s.step_index + 1 >= len(s.format.steps):
        finish_atelier(ctx)
    else:
        start_step(ctx, s.step_index + 1)


def advance(ctx: Ctx) -> None:
    """Close the current step (which may hold us here: a tie, no problem yet…) and move on."""
    closing = _FINISH.get(ctx.s.kind)
    if closing is not None and not closing(ctx):
        return
    if ctx.s.finished:
        return
    move_on(ctx)


def finish_atelier(ctx: Ctx) -> None:
    s = ctx.s
    for name in list(s.timers):
        ctx.clear_timer(name)
    s.paused = None
    s.finished = True
    ctx.say("atelier.finished", title=s.format.title(ctx.lang))


def _announce(
    ctx: Ctx, *, mentions: tuple[str, ...] = (), ref: str | None = None, **params: object
) -> None:
    s = ctx.s
    kind = s.kind
    duration = ctx.remaining("step") or 0.0
    header = ctx.t(
        "step.header",
        number=s.step_index + 1,
        total=len(s.format.steps),
        title=ctx.t(f"step.{kind}"),
        minutes=clock.minutes_text(duration, s.seconds_per_minute, ctx.lang),
    )
    body = header + "\n" + ctx.t(f"howto.{kind}", prefix=s.prefix, **params)
    ctx.say_text(f"howto.{kind}", body, mentions=mentions, ref=ref)


# -- timers ------------------------------------------------------------------------------------
def on_deadline(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("step")
    ctx.clear_timer("warning")
    if s.kind is K.CHOICE and s.tie is not None:
        _tie_window_passed(ctx)
        return
    if s.kind is K.CONSENT and s.offerer is None and s.chosen is not None:
        problem = s.problem(s.chosen)
        author = problem.author if problem else s.facilitator
        ctx.say("consent.waiting", mentions=(author,), name=s.name(author))
        ctx.dm(s.facilitator, "facilitator.consent_waiting", name=s.name(author))
        return
    if s.step.waits_for_facilitator:
        ctx.say("step.time_up_waiting", title=ctx.t(f"step.{s.kind}"))
        ctx.dm(s.facilitator, "facilitator.time_up", title=ctx.t(f"step.{s.kind}"))
        return
    ctx.say("step.time_up", title=ctx.t(f"step.{s.kind}"))
    advance(ctx)


def on_warning(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("warning")
    left = ctx.remaining("step") or 0.0
    ctx.say(
        "step.warning",
        title=ctx.t(f"step.{s.kind}"),
        minutes=clock.minutes_text(left, s.seconds_per_minute, ctx.lang),
    )


def on_turn_timeout(ctx: Ctx) -> None:
    s = ctx.s
    ctx.clear_timer("turn")
    if s.turns.speaker is not None:
        ctx.say("turns.time_up", name=s.name(s.turns.speaker))
    next_speaker(ctx)


# -- turns -------------------------------------------------------------------------------------
def next_speaker(ctx: Ctx) -> None:
    """Hand the floor on; in a step of set turns, the step ends after the last one."""
    s = ctx.s
    ctx.clear_timer("turn")
    speaker = give_next(s.turns)
    if speaker is None:
        if s.step.fixed_order:
            ctx.say("turns.all_done", title=ctx.t(f"step.{s.kind}"))
            advance(ctx)
        return
    _give_floor(ctx, speaker)


def _give_floor(ctx: Ctx, speaker: str) -> None:
    s = ctx.s
    step = s.step
    minutes = step.turn_minutes
    if minutes is not None:
        ctx.set_timer("turn", ctx.now + ctx.seconds(minutes))
    minutes_text = clock.minutes_text(ctx.seconds(minutes or 0), s.seconds_per_minute, ctx.lang)
    if s.kind is K.PROBLEM_SHARING:
        problem = s.problem_of(speaker)
        ctx.say(
            "turns.present_problem",
            mentions=(speaker,),
            name=s.name(speaker),
            minutes=minutes_text,
            number=problem.number if problem else "?",
            text=problem.text if problem else "",
        )
    elif s.kind is K.CONTRIBUTOR_SHARING:
        ctx.say("turns.share", mentions=(speaker,), name=s.name(speaker), minutes=minutes_text)
    else:
        ctx.say("turns.floor", mentions=(speaker,), name=s.name(speaker), minutes=minutes_text)


def hand(ctx: Ctx, user: str, direct: bool) -> None:
    s = ctx.s
    turns = s.turns
    if turns.speaker == user:
        ctx.answer(user, direct, "turns.you_have_floor", name=s.name(user))
        return
    if user in turns.queue:
        ctx.dm(user, "turns.already_waiting", position=turns.queue.index(user) + 1)
        return
    raise_hand(turns, user)
    if turns.speaker is None:
        next_speaker(ctx)
        return
    ctx.dm(
        user,
        "turns.queued",
        position=turns.queue.index(user) + 1,
        speaker=s.name(turns.speaker),
    )


def _speak_freely(ctx: Ctx, user: str) -> None:
    """A contributor writes in a step of raised hands: fine if the floor is theirs or free."""
    turns = ctx.s.turns
    if turns.speaker == user:
        return
    if turns.speaker is None and not turns.queue:
        take_floor(turns, user)
        minutes = ctx.s.step.turn_minutes
        if minutes is not None:
            ctx.set_timer("turn", ctx.now + ctx.seconds(minutes))
        return
    if turns.speaker is not None:
        ctx.dm(user, "turns.please_wait", speaker=ctx.s.name(turns.speaker))


# -- entering each step ------------------------------------------------------------------------
def _enter_welcome(ctx: Ctx) -> None:
    s = ctx.s
    _announce(
        ctx,
        ref="welcome",
        title=s.format.title(ctx.lang),
        facilitator=s.facilitator_name,
    )


def _enter_presentation(ctx: Ctx) -> None:
    s = ctx.s
    lines = []
    for number, step in enumerate(s.format.steps, start=1):
        lines.append(
            ctx.t(
                "presentation.step_line",
                number=number,
                title=ctx.t(f"step.{step.kind}"),
                minutes=clock.minutes_text(step_seconds(ctx, step), s.seconds_per_minute, ctx.lang),
            )
        )
    _announce(ctx, steps="\n".join(lines))


def _enter_plain(ctx: Ctx) -> None:
    _announce(ctx)


def _enter_problem_search(ctx: Ctx) -> None:
    _announce(ctx)
    for user in ctx.s.participants:
        ctx.dm(user, "problem.dm_invite", name=ctx.s.name(user))


def _enter_problem_sharing(ctx: Ctx) -> None:
    s = ctx.s
    order = [
        p.author for p in sorted(s.problems, key=lambda p: p.number) if p.author in s.participants
    ]
    s.turns = start_fixed(order)
    _announce(ctx, count=len(order))
    next_speaker(ctx)


def _enter_choice(ctx: Ctx) -> None:
    s = ctx.s
    if not s.candidates or s.vote_round == 0:
        s.candidates = [p.number for p in s.problems]
    _announce(ctx)
    _post_cards(ctx)


def _post_cards(ctx: Ctx) -> None:
    s = ctx.s
    for number in s.candidates:
        problem = s.problem(number)
        if problem is None:
            continue
        ctx.say(
            "choice.card",
            ref=f"card:{number}@{s.vote_round}",
            number=number,
            text=problem.text,
            author=s.name(problem.author),
        )


def _enter_consent(ctx: Ctx) -> None:
    s = ctx.s
    s.offerer = None
    s.chosen = None
    _announce(ctx)
    ask_consent(ctx)


def _enter_with_offerer(ctx: Ctx) -> None:
    s = ctx.s
    offerer = s.offerer or s.facilitator
    _announce(ctx, mentions=(offerer,), offerer=s.name(offerer))


def _enter_hands(ctx: Ctx) -> None:
    s = ctx.s
    offerer = s.offerer or s.facilitator
    _announce(ctx, ref="floor", offerer=s.name(offerer))


def _enter_reflection(ctx: Ctx) -> None:
    _enter_with_offerer(ctx)
    for user in ctx.s.contributors:
        ctx.dm(user, "reflection.dm_invite", name=ctx.s.name(user))


def _enter_exchanges(ctx: Ctx) -> None:
    s = ctx.s
    _enter_hands(ctx)
    for user in s.contributors:
        mine = [r.text for r in s.rebounds if r.author == user]
        if mine:
            ctx.dm(user, "exchanges.your_rebounds", rebounds="\n".join(f"- {r}" for r in mine))


def _enter_harvest(ctx: Ctx) -> None:
    s = ctx.s
    if s.contributions:
        listing = "\n".join(f"{c.number}. {c.text} ({s.name(c.author)})" for c in s.contributions)
    else:
        listing = ctx.t("harvest.nothing")
    offerer = s.offerer or s.facilitator
    _announce(ctx, mentions=(offerer,), offerer=s.name(offerer), contributions=listing)


def _enter_contributor_sharing(ctx: Ctx) -> None:
    s = ctx.s
    s.turns = start_fixed(list(s.contributors))
    _announce(ctx)
    next_speaker(ctx)


def _enter_record(ctx: Ctx) -> None:
    s = ctx.s
    s.record_consent = {}
    _announce(ctx, mentions=tuple(s.participants), ref="record_consent")


_ENTER: dict[StepKind, Callable[[Ctx], None]] = {
    K.WELCOME: _enter_welcome,
    K.PRESENTATION: _enter_presentation,
    K.GROUND_RULES: _enter_plain,
    K.PROBLEM_SEARCH: _enter_problem_search,
    K.PROBLEM_SHARING: _enter_problem_sharing,
    K.CHOICE: _enter_choice,
    K.CONSENT: _enter_consent,
    K.SITUATION: _enter_with_offerer,
    K.CLARIFICATION: _enter_hands,
    K.REFORMULATION: _enter_with_offerer,
    K.REFLECTION: _enter_reflection,
    K.EXCHANGES: _enter_exchanges,
    K.HARVEST: _enter_harvest,
    K.ACTION_PLAN: _enter_with_offerer,
    K.OFFERER_SHARING: _enter_with_offerer,
    K.CONTRIBUTOR_SHARING: _enter_contributor_sharing,
    K.HOT_FEEDBACK: _enter_plain,
    K.RECORD: _enter_record,
}


# -- closing each step (False: stay here) ------------------------------------------------------
def rules_text(s: AtelierState) -> str:
    return "\n".join(f"{r.number}. {r.text}" for r in s.rules)


def _finish_ground_rules(ctx: Ctx) -> bool:
    s = ctx.s
    if s.rules:
        ctx.say("rules.pinned", pin=True, rules=rules_text(s))
    return True


def _finish_problem_search(ctx: Ctx) -> bool:
    s = ctx.s
    if s.problems:
        return True
    ctx.clear_timer("step")
    ctx.clear_timer("warning")
    ctx.say("problem.none_yet")
    ctx.dm(s.facilitator, "facilitator.no_problem")
    return False


def _finish_choice(ctx: Ctx) -> bool:
    s = ctx.s
    if s.tie is not None:
        return _tie_window_passed(ctx)
    totals = tally(s.current_votes, s.candidates)
    if s.vote_round == 0:
        s.first_tally = dict(totals)
    best = top(totals)
    if len(best) == 1:
        _choose(ctx, best[0], totals)
        return True
    s.tie = TieBreak(numbers=best, round=s.vote_round)
    listing = ", ".join(f"#{n}" for n in best)
    ctx.say("tie.announce", numbers=listing, votes=totals[best[0]], facilitator=s.facilitator_name)
    ctx.dm(s.facilitator, "tie.facilitator", numbers=listing, first=best[0])
    set_deadline(ctx, ctx.seconds(s.step.minutes or 2))
    return False


def _tie_window_passed(ctx: Ctx) -> bool:
    """The facilitator did not settle the tie in time: re-vote once, then the first presented."""
    s = ctx.s
    tie = s.tie
    assert tie is not None
    if tie.round == 0:
        s.tie = None
        s.vote_round += 1
        s.candidates = list(tie.numbers)
        ctx.say("tie.revote", numbers=", ".join(f"#{n}" for n in tie.numbers))
        _post_cards(ctx)
        set_deadline(ctx, ctx.seconds(s.step.minutes or 2))
        return False
    ctx.say("tie.first_presented", number=tie.numbers[0])
    _choose(ctx, tie.numbers[0], tally(s.current_votes, s.candidates))
    move_on(ctx)
    return False


def settle_tie(ctx: Ctx, number: int) -> None:
    s = ctx.s
    ctx.say("tie.settled", number=number, facilitator=s.facilitator_name)
    _choose(ctx, number, tally(s.current_votes, s.candidates))
    move_on(ctx)


def _choose(ctx: Ctx, number: int, totals: dict[int, int]) -> None:
    s = ctx.s
    s.tie = None
    everyone = {p.number: s.first_tally.get(p.number, 0) for p in s.problems}
    others = [n for n in ranking(everyone) if n != number]
    s.ranking = [number, *others]
    ctx.say("choice.result", number=number, votes=totals.get(number, 0))


def _finish_consent(ctx: Ctx) -> bool:
    s = ctx.s
    if s.offerer is not None:
        return True
    if s.chosen is not None:  # the facilitator moves on without an answer: next problem
        s.declined.append(s.chosen)
        ctx.say("consent.skipped", number=s.chosen)
    set_deadline(ctx, step_seconds(ctx, s.step))
    ask_consent(ctx)
    return False


def _finish_record(ctx: Ctx) -> bool:
    conclude_record(ctx)
    return True


_FINISH: dict[StepKind, Callable[[Ctx], bool]] = {
    K.GROUND_RULES: _finish_ground_rules,
    K.PROBLEM_SEARCH: _finish_problem_search,
    K.CHOICE: _finish_choice,
    K.CONSENT: _finish_consent,
    K.RECORD: _finish_record,
}


# -- consent -----------------------------------------------------------------------------------
def ask_consent(ctx: Ctx) -> None:
    s = ctx.s
    left = [n for n in s.ranking if n not in s.declined and s.problem(n) is not None]
    if not left:
        s.chosen = None
        ctx.clear_timer("step")
        ctx.clear_timer("warning")
        ctx.say("consent.nobody_left")
        ctx.dm(s.facilitator, "facilitator.nobody_left")
        return
    number = left[0]
    problem = s.problem(number)
    assert problem is not None
    s.chosen = number
    ctx.say(
        "consent.ask",
        mentions=(problem.author,),
        ref=f"consent:{number}",
        name=s.name(problem.author),
        number=number,
        text=problem.text,
    )


def consent_answer(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    assert s.chosen is not None
    number = s.chosen
    ctx.record("consent", user, "yes" if yes else "no", problem=str(number))
    if not yes:
        s.declined.append(number)
        ctx.say("consent.declined", name=s.name(user))
        set_deadline(ctx, step_seconds(ctx, s.step))
        ask_consent(ctx)
        return
    s.offerer = user
    ctx.say("consent.accepted", name=s.name(user), number=number)
    _hand_out_roles(ctx)
    move_on(ctx)


def _hand_out_roles(ctx: Ctx) -> None:
    s = ctx.s
    ctx.dm(s.facilitator, "roles.facilitator", name=s.facilitator_name)
    assert s.offerer is not None
    ctx.dm(s.offerer, "roles.offerer", name=s.name(s.offerer))
    for user in s.contributors:
        ctx.dm(user, "roles.contributor", name=s.name(user), offerer=s.name(s.offerer))
    roles = ctx.t(
        "roles.summary",
        facilitator=s.facilitator_name,
        offerer=s.name(s.offerer),
        contributors=", ".join(s.name(u) for u in s.contributors) or "—",
    )
    ctx.say_text("roles.summary", roles)


# -- the record --------------------------------------------------------------------------------
def record_answer(ctx: Ctx, user: str, yes: bool) -> None:
    s = ctx.s
    s.record_consent[user] = yes
    ctx.record("record_consent", user, "yes" if yes else "no")
    ctx.dm(user, "record.consent_yes" if yes else "record.consent_no")
    if all(p in s.record_consent for p in s.participants):
        advance(ctx)


def conclude_record(ctx: Ctx) -> None:
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


# -- what people write in the room -------------------------------------------------------------
def _entry(
    items: list[Entry], author: str, text: str, ctx: Ctx, message_id: str | None, **extra: object
) -> Entry:
    entry = Entry(
        number=len(items) + 1, author=author, text=text, at=ctx.now, message_id=message_id, **extra
    )
    items.append(entry)
    return entry


def add_rule(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    s = ctx.s
    entry = _entry(s.rules, user, text, ctx, message_id)
    ctx.record("ground_rule", user, text)
    ctx.react(message_id)
    if message_id is None:
        ctx.dm(user, "rules.added", number=entry.number)


def on_room_text(ctx: Ctx, user: str, text: str, message_id: str) -> None:
    """A plain message (no command) in the room, interpreted by the current step."""
    s = ctx.s
    kind = s.kind
    member = user in s.participants or user == s.facilitator
    if kind is K.GROUND_RULES and member:
        add_rule(ctx, user, text, message_id)
    elif kind is K.PROBLEM_SHARING and user == s.turns.speaker:
        _entry(s.presentations, user, text, ctx, message_id)
        ctx.record("presentation", user, text)
    elif kind is K.SITUATION and user == s.offerer:
        _entry(s.situation, user, text, ctx, message_id)
        ctx.record("situation", user, text)
    elif kind is K.CLARIFICATION and user == s.offerer:
        _entry(s.answers, user, text, ctx, message_id)
        ctx.record("answer", user, text)
    elif kind is K.CLARIFICATION and user in s.contributors:
        _speak_freely(ctx, user)
        entry = _entry(s.questions, user, text, ctx, message_id)
        ctx.record("clarifying_question", user, text, number=str(entry.number))
        ctx.react(message_id)
    elif kind is K.EXCHANGES and user == s.offerer:
        ctx.record("offerer_note", user, text)
        ctx.dm(user, "exchanges.offerer_listens")
    elif kind is K.EXCHANGES and user in s.contributors:
        _speak_freely(ctx, user)
        entry = _entry(s.contributions, user, text, ctx, message_id)
        ctx.record("contribution", user, text, number=str(entry.number))
        ctx.react(message_id)
    elif kind is K.REFORMULATION and user == s.offerer:
        set_request(ctx, user, text, message_id)
    elif kind is K.HARVEST and user == s.offerer and _looks_like_numbers(text):
        keep(ctx, user, text, direct=False)
    elif kind is K.ACTION_PLAN and user == s.offerer:
        add_action(ctx, user, text, message_id)
    elif kind is K.OFFERER_SHARING and user == s.offerer:
        _entry(s.sharings, user, text, ctx, message_id)
        ctx.record("offerer_sharing", user, text)
    elif kind is K.CONTRIBUTOR_SHARING and user == s.turns.speaker:
        _entry(s.sharings, user, text, ctx, message_id)
        ctx.record("contributor_sharing", user, text)
    elif kind is K.HOT_FEEDBACK and member:
        add_feeling(ctx, user, text, message_id, direct=False)


def _looks_like_numbers(text: str) -> bool:
    tokens = text.replace(",", " ").replace("#", " ").split()
    return bool(tokens) and all(t.isdigit() for t in tokens)


def set_request(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    s = ctx.s
    replaced = s.request is not None
    s.request = text
    s.request_message_id = message_id
    ctx.record("help_request", user, text)
    ctx.react(message_id)
    ctx.say("request.noted_again" if replaced else "request.noted", request=text)


def keep(ctx: Ctx, user: str, args: str, *, direct: bool) -> None:
    s = ctx.s
    numbers: list[int] = []
    for token in args.replace(",", " ").replace("#", " ").split():
        if (
            not token.isdigit()
            or s.contributions == []
            or not (1 <= int(token) <= len(s.contributions))
        ):
            ctx.answer(user, direct, "harvest.unknown", token=token, count=len(s.contributions))
            return
        if int(token) not in numbers:
            numbers.append(int(token))
    if not numbers:
        ctx.answer(user, direct, "harvest.how")
        return
    if len(numbers) > 3:
        ctx.answer(user, direct, "harvest.too_many", count=len(numbers))
        return
    s.kept = numbers
    ctx.record("harvest", user, " ".join(str(n) for n in numbers))
    kept = "\n".join(f"{c.number}. {c.text}" for c in s.contributions if c.number in numbers)
    ctx.say("harvest.kept", kept=kept)
    if len(numbers) == 1:
        ctx.dm(user, "harvest.only_one")


def add_action(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    s = ctx.s
    what, when = _split_when(text)
    if not what:
        ctx.dm(user, "action.how")
        return
    entry = _entry(s.actions, user, what, ctx, message_id, when=when)
    ctx.record("action", user, what, when=when or "")
    ctx.react(message_id)
    ctx.say(
        "action.noted",
        number=entry.number,
        text=what,
        when=ctx.t("record.when", when=when) if when else "",
    )


def _split_when(text: str) -> tuple[str, str | None]:
    lowered = text.lower()
    for marker in ("@when", "@quand"):
        at = lowered.find(marker)
        if at >= 0:
            return text[:at].strip(), text[at + len(marker) :].strip(" :") or None
    return text.strip(), None


def add_feeling(ctx: Ctx, user: str, text: str, message_id: str | None, *, direct: bool) -> None:
    s = ctx.s
    head, _, rest = text.strip().partition(" ")
    score: int | None = None
    if head.isdigit():
        score = int(head)
        if not 1 <= score <= 5:
            ctx.dm(user, "feeling.scale")
            return
        text = rest.strip()
    _entry(s.feelings, user, text, ctx, message_id, score=score)
    ctx.record("hot_feedback", user, text, score=str(score or ""))
    if message_id:
        ctx.react(message_id)
    else:
        ctx.dm(user, "feeling.thanks")


# -- what people write to the bot privately ----------------------------------------------------
def submit_problem(ctx: Ctx, user: str, text: str, message_id: str | None) -> None:
    s = ctx.s
    existing = s.problem_of(user)
    if existing is not None:
        replaced = existing.model_copy(
            update={"text": text, "at": ctx.now, "message_id": message_id}
        )
        s.problems[s.problems.index(existing)] = replaced
        number = existing.number
        key = "problem.replaced"
    else:
        number = max((p.number for p in s.problems), default=0) + 1

        s.problems.append(
            Problem(number=number, author=user, text=text, at=ctx.now, message_id=message_id)
        )
        key = "problem.received"
    ctx.record("problem", user, text, number=str(number))
    ctx.react(message_id)
    ctx.dm(user, key, number=number, text=text)


def add_rebound(ctx: Ctx, user: str, text: str) -> None:
    s = ctx.s
    entry = _entry(s.rebounds, user, text, ctx, None)
    ctx.record("rebound", user, text)
    ctx.dm(user, "reflection.noted", number=entry.number)


def expects_direct_text(ctx: Ctx, user: str) -> bool:
    """Whether this step takes free private text from this person (a problem, a rebound…)."""
    s = ctx.s
    kind = s.kind
    return (
        (kind is K.PROBLEM_SEARCH and user in s.participants)
        or (kind is K.REFLECTION and user in s.contributors)
        or (kind is K.HOT_FEEDBACK and (user in s.participants or user == s.facilitator))
    )


def on_direct_text(ctx: Ctx, user: str, text: str) -> None:
    """A private message that is no command: a problem, a rebound, or a misunderstanding."""
    s = ctx.s
    kind = s.kind
    if kind is K.PROBLEM_SEARCH and user in s.participants:
        submit_problem(ctx, user, text, None)
    elif kind is K.PROBLEM_SEARCH and user == s.facilitator:
        ctx.dm(user, "problem.facilitator_has_none")
    elif kind is K.REFLECTION and user in s.contributors:
        add_rebound(ctx, user, text)
    elif kind is K.REFLECTION and user == s.offerer:
        ctx.dm(user, "reflection.offerer_rests")
    elif kind is K.HOT_FEEDBACK and (user in s.participants or user == s.facilitator):
        add_feeling(ctx, user, text, None, direct=True)
    else:
        ctx.dm(user, "dm.not_understood", step=ctx.t(f"step.{kind}"))
