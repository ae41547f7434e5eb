"""Starting an atelier: ``start [FORMAT] [--end HH:MM] [--lang fr|en] [--thread]``, and its
settings.

The one command that runs where no atelier is running yet: it builds the atelier's state from
the engine's settings and the chosen format, then enters the format's first step.
"""

from dataclasses import dataclass

from bot import buttons, clock, cycles, steps
from bot.context import Ctx, Invocation
from bot.events import PlannedOpening
from bot.formats import DEFAULT_FORMAT_ID, Format
from bot.retention import retention_days
from bot.state import AtelierState, Person
from bot.steps.opening import join

__all__ = ["EngineSettings", "may_start", "open_planned", "start"]


@dataclass(frozen=True, slots=True)
class EngineSettings:
    language: str = "fr"
    command_prefix: str = "!atelier"
    seconds_per_minute: float = 60.0
    timezone: str = "Europe/Paris"
    default_format: str = DEFAULT_FORMAT_ID
    #: who may start an atelier in a room: "anyone" in it, its "moderators", or these user ids
    who_may_start: str | tuple[str, ...] = "anyone"
    #: days a private input kept past an atelier stays (bot/retention.py), by default…
    retention_days: int = 90
    #: …and in these rooms
    room_retention_days: tuple[tuple[str, int], ...] = ()
    #: rooms whose dates and times are not in ``timezone``
    room_timezones: tuple[tuple[str, str], ...] = ()

    def timezone_for(self, room: str) -> str:
        """The time zone the room's dates and times are said and read in."""
        return dict(self.room_timezones).get(room, self.timezone)


def may_start(settings: EngineSettings, user: str, moderator: bool) -> bool:
    """Whether this person may start an atelier in a room (``[bot] who_may_start``)."""
    match settings.who_may_start:
        case "anyone":
            return True
        case "moderators":
            return moderator
        case tuple() as listed:
            return user in listed
        case _:
            return False


def start(call: Invocation, settings: EngineSettings, formats: dict[str, Format]) -> None:
    ctx, sender, prefix = call.ctx, call.user, call.prefix
    if call.direct:
        call.tell("start.in_room", prefix=prefix)
        return
    if not may_start(settings, sender, call.moderator):
        listed = isinstance(settings.who_may_start, tuple)
        call.tell("safety.start_listed" if listed else "safety.start_moderators")
        return
    if ctx.has_atelier:
        ctx.say(
            "start.already_running",
            mentions=(sender,),
            reply=True,
            facilitator=ctx.s.facilitator_name,
            prefix=prefix,
        )
        return
    options = _parse_start(call.args)
    lang = options.get("lang", settings.language)
    if lang not in ("fr", "en"):
        ctx.say("start.bad_language", mentions=(sender,), reply=True, lang=lang)
        return
    ctx.lang = lang
    format_id = options.get("format", settings.default_format)
    fmt = formats.get(format_id)
    if fmt is None:
        ctx.say(
            "start.unknown_format",
            mentions=(sender,),
            reply=True,
            format=format_id,
            formats=", ".join(sorted(formats)),
            prefix=prefix,
        )
        return
    announced: float | None = None
    if "end" in options:
        announced = clock.next_clock_time(options["end"], ctx.now, settings.timezone_for(ctx.room))
        if announced is None:
            ctx.say("start.bad_end", mentions=(sender,), reply=True, end=options["end"])
            return
    state = AtelierState(
        id=f"{ctx.room}#{int(ctx.now * 1000)}",
        room=ctx.room,
        lang=lang,
        format=fmt,
        seconds_per_minute=settings.seconds_per_minute,
        started_at=ctx.now,
        timezone=settings.timezone_for(ctx.room),
        prefix=prefix,
        # a thread asked for (--fil) starts at the command; started in a thread, it stays there
        thread=ctx.reply_thread or (call.message_id if "thread" in options else None),
        facilitator=sender,
        facilitator_name=call.name,
        people={sender: Person(user_id=sender, name=call.name)},
        retention_days=retention_days(
            ctx.room, settings.retention_days, settings.room_retention_days
        ),
    )
    ctx.replace_state(state)
    cycles.ask_memory(ctx)
    steps.start_step(ctx, 0)
    planned = steps.planned_end(ctx)
    state.announced_end = announced if announced is not None else planned
    ctx.set_timer(steps.END_TIMER, state.announced_end)
    ctx.say(
        "start.planned" if announced is not None else "start.planned_only",
        end=clock.clock(state.announced_end, state.timezone),
        planned=clock.clock(planned, state.timezone),
    )  # a plan longer than the announced end is the facilitator's news (steps.watch_plan)
    # the facilitator is welcomed privately at once: how to steer, and when the bot will write
    guide = ctx.t("guide.facilitator", name=call.name)
    ctx.dm_text(sender, "guide.facilitator", guide, buttons=buttons.steering(ctx))


def open_planned(
    ctx: Ctx, event: PlannedOpening, settings: EngineSettings, formats: dict[str, Format]
) -> None:
    """A planned session opens (``bot.planning``): ``start`` as the person who planned it
    would have typed it, then those who said they would come join."""
    args = event.format or ""
    if event.end is not None:
        args += f" --end {clock.clock(event.end, settings.timezone)}"
    call = Invocation(
        ctx=ctx,
        user=event.facilitator,
        name=event.facilitator_name,
        args=args,
        direct=False,
        moderator=True,  # they were allowed to start when they planned it
        message_id=None,
        prefix=settings.command_prefix,
    )
    start(call, settings, formats)
    if not ctx.has_atelier or ctx.s.facilitator != event.facilitator:
        return  # an atelier was running already: the planner said so
    for user, name in event.people:
        if user != event.facilitator and user not in ctx.s.participants:
            join(ctx, user, name, None)
    ctx.s.seeds = {user: text for user, text in event.seeds if user in ctx.s.participants}


def _parse_start(args: str) -> dict[str, str]:
    options: dict[str, str] = {}
    tokens = args.split()
    i = 0
    while i < len(tokens):
        token = tokens[i].lower()
        if token in ("--end", "--fin") and i + 1 < len(tokens):
            options["end"] = tokens[i + 1]
            i += 2
        elif token in ("--fil", "--thread"):
            options["thread"] = "yes"
            i += 1
        elif token in ("--lang", "--langue") and i + 1 < len(tokens):
            options["lang"] = tokens[i + 1].lower()
            i += 2
        elif clock.parse_clock(token) is not None and "end" not in options:
            options["end"] = token  # "démarrer 16h30": the end time, said the French way
            i += 1
        elif not token.startswith("--") and "format" not in options:
            options["format"] = token
            i += 1
        else:
            i += 1
    return options
