"""The ``atelier-bot`` command: run, check-config, console, demo, mattermost-setup."""

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from bot.config import Config, ConfigError, load_config, warnings
from bot.formats import FormatError

__all__ = ["main"]

DEMO_SECONDS_PER_MINUTE = 1.0


def _load(path: str | None) -> Config:
    return load_config(Path(path) if path else None)


async def _console(config: Config) -> None:
    from adapters.console import ConsoleAdapter
    from bot.app import open_runtime
    from bot.store import Store

    adapters: list[ConsoleAdapter] = []

    def make(store: Store) -> list[ConsoleAdapter]:
        adapters.append(ConsoleAdapter(store))
        return adapters

    runtime = await open_runtime(config, make)
    print("atelier-bot — console. Tapez `nom: message`, `@bot nom: message` (privé), `nom +12 2️⃣`.")
    print("Pour commencer : `camille: !atelier démarrer`. Ctrl-D pour quitter.", flush=True)
    await runtime.start()
    try:
        await adapters[0].wait_for_input_end()
    finally:
        await runtime.stop()
        await runtime.store.close()


async def _run(config: Config) -> int:
    """Serve the configured platforms until SIGINT or SIGTERM."""
    from bot.app import open_runtime, platform_adapters

    login_errors: list[type[Exception]] = []  # only the installed platforms' (extras)
    try:
        if config.matrix is not None:
            from adapters.matrix import MatrixLoginError

            login_errors.append(MatrixLoginError)
        if config.mattermost is not None:
            from adapters.mattermost import MattermostLoginError

            login_errors.append(MattermostLoginError)
    except ImportError as error:
        extra = "matrix" if config.matrix is not None and "nio" in str(error) else "mattermost"
        print(
            f"Configuration error: [{extra}] is configured but its support is not installed "
            f"({error.name}): pip install 'atelier-bot[{extra}]'",
            file=sys.stderr,
        )
        return 2
    runtime = await open_runtime(config, lambda store: platform_adapters(config, store))
    if not runtime.adapters:
        print(
            "No platform is configured: add a [matrix] or [mattermost] section to the config, "
            "or rehearse with `atelier-bot console`.",
            file=sys.stderr,
        )
        await runtime.store.close()
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await runtime.start()
    except tuple(login_errors) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        await runtime.stop()
        await runtime.store.close()
        return 2
    names = ", ".join(adapter.name for adapter in runtime.adapters)
    print(f"atelier-bot is listening ({names}). Ctrl-C to stop.", flush=True)
    try:
        await stop.wait()
    finally:
        await runtime.stop()
        await runtime.store.close()
    return 0


def _check_mattermost_login(config: Config) -> str | None:
    """What the Mattermost server says of the bot's token or password (None: accepted, or it
    could not be asked, which is a warning)."""
    assert config.mattermost is not None
    try:
        import requests

        from adapters.mattermost_session import check_login
    except ImportError:
        return None  # the platform's support is not installed: `run` says so
    try:
        return check_login(config.mattermost)
    except requests.RequestException as error:
        print(
            f"Warning: [mattermost] url: could not ask the server whether the bot may log in "
            f"({type(error).__name__})",
            file=sys.stderr,
        )
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="atelier-bot", description="Facilitates peer-help workshops (ateliers d'entraide)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the configured chat platforms")
    run.add_argument("--config", required=True, help="path to config.toml")
    check = sub.add_parser("check-config", help="validate a configuration file and exit")
    check.add_argument("file")
    check.add_argument(
        "--offline", action="store_true", help="do not ask the Mattermost server about the login"
    )
    console = sub.add_parser("console", help="rehearse an atelier in the terminal")
    console.add_argument("--config", help="path to config.toml (optional)")
    setup = sub.add_parser(
        "mattermost-setup", help="register the /atelier slash command on the Mattermost team"
    )
    setup.add_argument("--config", required=True, help="path to config.toml")
    demo = sub.add_parser("demo", help="watch a complete atelier with simulated people")
    demo.add_argument("--config", help="path to config.toml (optional)")
    demo.add_argument("--seconds-per-minute", type=float, help="time compression")
    demo.add_argument("--pace", type=float, default=0.08, help="seconds between typed lines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        config = _load(getattr(args, "config", None) or getattr(args, "file", None))
        from bot.app import build_engine

        build_engine(config)  # formats are checked at start-up, before anything runs
    except (ConfigError, FormatError) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2

    for warning in warnings(config):
        print(f"Warning: {warning}", file=sys.stderr)
    if args.command == "check-config":
        if config.mattermost is not None and not args.offline:
            refused = _check_mattermost_login(config)
            if refused:
                print(f"Configuration error: {refused}", file=sys.stderr)
                return 2
        print(f"{args.file}: OK")
        return 0
    if args.command == "mattermost-setup":
        if config.mattermost is None:
            print("Configuration error: no [mattermost] section", file=sys.stderr)
            return 2
        from adapters.mattermost_setup import register

        return register(config.mattermost)
    if args.command == "console":
        asyncio.run(_console(config))
        return 0
    if args.command == "demo":
        from bot.demo import run_demo

        spm = args.seconds_per_minute
        if spm is None:
            spm = config.timing.seconds_per_minute if args.config else DEMO_SECONDS_PER_MINUTE
        config = config.model_copy(
            update={"timing": config.timing.model_copy(update={"seconds_per_minute": spm})}
        )
        asyncio.run(run_demo(config, pace=args.pace))
        return 0
    return asyncio.run(_run(config))


if __name__ == "__main__":
    sys.exit(main())
