"""The bot as a separate process (for SIGKILL), and its SQLite file read from outside."""

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from people_kit import until

from bot.store_schema import stored_state

ROOT = Path(__file__).resolve().parents[1]


class BotProcess:
    """``atelier-bot run`` in a subprocess, on a config file and SQLite file of the test."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--config", str(self.config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )

    async def listening(self, limit: float = 60) -> None:
        await until("the bot to listen", lambda: b"is listening" in self.log.read_bytes(), limit)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    async def stop(self) -> None:
        """SIGTERM, then wait (20 s at most) without blocking this event loop: a test server
        running in it (Mattermost) must still answer the bot's goodbyes while it shuts down."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(self.proc.wait, 20)


class StoreReader:
    """Reads the bot's SQLite file from outside, as an operator would (WAL allows it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
            return db.execute(sql, params).fetchall()

    async def state(self, room: str) -> dict | None:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
            states = stored_state(db, "room = ? AND active = 1", (room,))
        return states[0] if states else None

    async def refs(self, room: str, ref: str) -> str | None:
        rows = self._query(
            "SELECT message_id FROM message_refs WHERE room = ? AND ref = ? ORDER BY rowid DESC",
            room,
            ref,
        )
        return rows[0][0] if rows else None

    def inputs(self, kind: str) -> list[str]:
        return [r[0] for r in self._query("SELECT content FROM inputs WHERE kind = ?", kind)]
