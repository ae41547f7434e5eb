"""``scripts/demo`` (``python -m devkit.matrix_demo``): the complete atelier in a real Matrix room.

Starts the local Synapse (``devkit.synapse_local``), runs the bot in this process with the Matrix
adapter, and lets six people with their own matrix-nio clients play ``bot.scenario``. Everything
the bot says, in the room and privately, is printed as their clients receive it.
"""

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from adapters.matrix import MatrixAdapter
from bot.app import build_engine
from bot.config import Config, MatrixSection, StorageSection, TimingSection
from bot.runtime import Runtime
from bot.scenario import FACILITATOR, Cast, Heard, full_atelier
from bot.state import AtelierState
from bot.store import Store
from devkit.matrix_people import MatrixPeople
from devkit.synapse_local import BOT_LOCALPART, DEMO_PEOPLE, SERVER_NAME, prepare

__all__ = ["run_matrix_demo"]


def _printer(out: TextIO) -> Callable[[Heard], None]:
    def show(heard: Heard) -> None:
        lines = heard.text.splitlines() or [""]
        label = "atelier" if heard.to is None else f"atelier → {heard.to} (privé)"
        out.write(f"[{label}] {lines[0]}\n")
        for line in lines[1:]:
            out.write(f"        {line}\n")
        out.flush()

    return show


async def run_matrix_demo(
    folder: Path,
    *,
    seconds_per_minute: float,
    out: TextIO | None = None,
    pace: float = 0.1,
    keep: bool = False,
) -> float:
    """Run the whole atelier on Matrix; return its wall time in seconds."""
    out = out or sys.stdout
    started = time.monotonic()
    out.write(f"Synapse local (installé au premier lancement) dans {folder} …\n")
    out.flush()
    server, accounts = await asyncio.to_thread(prepare, folder, DEMO_PEOPLE)
    bot = accounts[BOT_LOCALPART]
    with tempfile.TemporaryDirectory(prefix="atelier-matrix-demo-") as tmp:
        config = Config(
            storage=StorageSection(path=Path(tmp) / "atelier.db"),
            timing=TimingSection(seconds_per_minute=seconds_per_minute),
            matrix=MatrixSection(homeserver=server.url, user_id=bot.user_id, password=bot.password),
        )
        store = await Store.open(config.storage.path)
        adapter = MatrixAdapter(
            config.matrix,  # type: ignore[arg-type]
            store,
            language=config.bot.language,
            key_dir=Path(tmp) / "keys",
        )
        runtime = Runtime(build_engine(config), store, [adapter])
        people = MatrixPeople(
            server.url,
            {p: accounts[p] for p in DEMO_PEOPLE},
            bot.user_id,
            key_dir=Path(tmp) / "people",
            refs=store.message_for_ref,
            state=lambda room: _current(runtime, room),
            on_heard=_printer(out),
        )
        try:
            await runtime.start()
            room = await people.open(
                facilitator=FACILITATOR, name="Atelier d'entraide (démo)", bot_power=50
            )
            out.write(
                f"Salon {room} sur {server.url} — pour regarder avec un client Matrix "
                f"(Element…), connectez-vous à {server.url} en tant que "
                f"{FACILITATOR} (mot de passe : {accounts[FACILITATOR].password}, "
                f"serveur {SERVER_NAME}).\n\n"
            )
            await full_atelier(Cast(people, out, pace))
            await _quiet(people)
        finally:
            await people.close()
            await runtime.stop()
            await store.close()
            if not keep:
                server.stop()
    elapsed = time.monotonic() - started
    out.write(f"\n— démo Matrix terminée en {elapsed:.1f} s —\n")
    out.flush()
    return elapsed


async def _current(runtime: Runtime, room: str) -> AtelierState | None:
    return runtime.states.get(room)


async def _quiet(people: MatrixPeople, settle: float = 1.5) -> None:
    """Wait until the bot's last words have reached the people's clients."""
    count = -1
    while count != len(people.heard):
        count = len(people.heard)
        await asyncio.sleep(settle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="A complete atelier d'entraide in a real Matrix room on a local Synapse.",
    )
    parser.add_argument(
        "--seconds-per-minute", type=float, default=1.0, help="time compression (default 1)"
    )
    parser.add_argument("--pace", type=float, default=0.08, help="seconds between typed lines")
    parser.add_argument("--dir", default=".local-matrix", help="the local Synapse's folder")
    parser.add_argument("--keep", action="store_true", help="leave Synapse running afterwards")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(
        run_matrix_demo(
            Path(args.dir).resolve(),
            seconds_per_minute=args.seconds_per_minute,
            pace=args.pace,
            keep=args.keep,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
