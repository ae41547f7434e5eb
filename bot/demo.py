"""``atelier-bot demo``: the complete atelier (``bot.scenario``) played in the terminal.

The six simulated people type through the console adapter, as a user of
``atelier-bot console`` would; time is compressed by ``[timing] seconds_per_minute``.
"""

import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from adapters.console import ROOM, ConsoleAdapter
from bot.app import build_engine
from bot.config import Config
from bot.runtime import Runtime
from bot.scenario import Cast, DemoStuck, full_atelier, name, wait_for_ref
from bot.state import AtelierState
from bot.store import Store

__all__ = ["ConsolePeople", "DemoStuck", "run_demo"]


class ConsolePeople:
    """The people type lines into the console adapter (``alice: …``, ``@bot alice: …``)."""

    def __init__(self, runtime: Runtime, console: ConsoleAdapter, store: Store) -> None:
        self.runtime = runtime
        self.console = console
        self.store = store

    async def say(self, user: str, text: str) -> None:
        await self.console.type_line(f"{self.user_id(user)}: {text}")

    async def dm(self, user: str, text: str) -> None:
        await self.console.type_line(f"@bot {self.user_id(user)}: {text}")

    async def react(self, user: str, ref: str, key: str, *, remove: bool) -> str:
        message = await wait_for_ref(self.store.message_for_ref, ROOM, ref)
        sign = "-" if remove else "+"
        await self.console.type_line(f"{self.user_id(user)} {sign}{message} {key}")
        return f"#{message}"

    async def state(self) -> AtelierState | None:
        return self.runtime.states.get(ROOM)

    def user_id(self, person: str) -> str:
        """The console keeps what is typed: ``chloé`` is shown as "Chloé"."""
        return name(person).lower()


async def run_demo(config: Config, *, out: TextIO | None = None, pace: float = 0.08) -> float:
    """Run the whole demo; return its wall time in seconds."""
    out = out or sys.stdout
    started = time.monotonic()
    engine = build_engine(config)
    with tempfile.TemporaryDirectory(prefix="atelier-demo-") as folder:
        store = await Store.open(Path(folder) / "demo.db")
        console = ConsoleAdapter(store, output=out, read_stdin=False)
        runtime = Runtime(engine, store, [console])
        await runtime.start()
        try:
            await full_atelier(Cast(ConsolePeople(runtime, console, store), out, pace))
        finally:
            await runtime.stop()
            await store.close()
    elapsed = time.monotonic() - started
    out.write(f"\n— démo terminée en {elapsed:.1f} s —\n")
    out.flush()
    return elapsed
