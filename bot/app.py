"""Assembling the bot from a configuration: formats, engine, store, runtime, adapters."""

from collections.abc import Callable, Sequence

from bot.agenda import PlanSettings
from bot.config import Config
from bot.engine import Engine, EngineSettings
from bot.formats import FormatError, load_formats
from bot.planning import Planner
from bot.ports import Adapter
from bot.runtime import Runtime
from bot.store import Store
from bot.texts import TextsError, use_texts_dir

__all__ = ["build_engine", "open_runtime", "platform_adapters"]


def build_engine(config: Config) -> Engine:
    """The engine for this configuration; a bad format or text file raises ``FormatError``."""
    try:
        use_texts_dir(config.bot.texts_dir)
    except TextsError as error:
        raise FormatError(f"[bot] texts_dir: {error}") from error
    formats = load_formats(config.bot.formats_dir)
    if config.bot.default_format not in formats:
        known = ", ".join(sorted(formats))
        raise FormatError(
            f"[bot] default_format: no format {config.bot.default_format!r} (known: {known})"
        )
    settings = EngineSettings(
        language=config.bot.language,
        command_prefix=config.bot.command_prefix,
        seconds_per_minute=config.timing.seconds_per_minute,
        timezone=config.bot.timezone,
        default_format=config.bot.default_format,
        who_may_start=(
            tuple(config.bot.who_may_start)
            if isinstance(config.bot.who_may_start, list)
            else config.bot.who_may_start
        ),
        retention_days=config.bot.retention_days,
        room_retention_days=tuple(
            (room, section.retention_days)
            for room, section in config.rooms.items()
            if section.retention_days is not None
        ),
        room_timezones=tuple(
            (room, section.timezone)
            for room, section in config.rooms.items()
            if section.timezone is not None
        ),
    )
    return Engine(settings, formats)


async def open_runtime(
    config: Config, adapters_for: Callable[[Store], Sequence[Adapter]]
) -> Runtime:
    """Engine, store and runtime, not started yet (``await runtime.start()``)."""
    engine = build_engine(config)
    store = await Store.open(config.storage.path)
    planning = config.planning
    plan = PlanSettings(
        invite_ahead=planning.invite_days_ahead * 86_400,
        first_reminder=planning.first_reminder_hours * 3_600,
        last_reminder=planning.last_reminder_minutes * 60,
        late_grace=planning.late_grace_minutes * 60,
        follow_up=planning.follow_up_days * 86_400,
    )
    planner = Planner(engine.settings, plan, engine.formats)
    return Runtime(engine, store, adapters_for(store), planner=planner)


def platform_adapters(config: Config, store: Store) -> list[Adapter]:
    """The adapters of the platforms the configuration enables (its present sections)."""
    adapters: list[Adapter] = []
    if config.matrix is not None:
        from adapters.matrix import MatrixAdapter

        key_dir = config.matrix.key_dir or config.storage.path.with_name(
            config.storage.path.name + ".keys"
        )
        adapters.append(
            MatrixAdapter(config.matrix, store, language=config.bot.language, key_dir=key_dir)
        )
    if config.mattermost is not None:
        from adapters.mattermost import MattermostAdapter

        adapters.append(
            MattermostAdapter(
                config.mattermost,
                store,
                language=config.bot.language,
                prefix=config.bot.command_prefix,
            )
        )
    return adapters
