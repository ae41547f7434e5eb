"""The bot killed with SIGKILL mid-step, then restarted on the same SQLite file."""

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.store_schema import stored_state

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")


class BotProcess:
    """``atelier-bot console`` in a subprocess, typed into through stdin."""

    def __init__(self, config: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "console", "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            cwd=Path(__file__).resolve().parents[1],
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, needle: str, limit: float = 60.0) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"never saw {needle!r}; last lines: {self.seen[-15:]}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


def _state(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return stored_state(conn, "active = 1", ())[0]


def _inputs(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT kind, author, content FROM inputs ORDER BY id").fetchall()


def test_killed_bot_resumes_the_same_step_with_inputs_and_remaining_time(tmp_path):
    db = tmp_path / "atelier.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db}"\n[timing]\nseconds_per_minute = 60\n')

    bot = BotProcess(config)
    bot.wait_for("Ctrl-D")
    bot.type("fac: !atelier démarrer")
    bot.wait_for("Fin prévue")
    for person in ("alice", "bob", "chloe"):
        bot.type(f"{person}: !atelier rejoindre")
        bot.wait_for(f"Bienvenue {person.title()}")
    for _ in range(3):
        bot.type("@bot fac: suivant")
        bot.wait_for("C'est fait")
    bot.type("@bot alice: Garder les bénévoles")
    bot.wait_for("[DM → alice] Merci, votre problématique est notée (n° 1)")
    bot.type("bob: !atelier problème Déléguer la compta")
    bot.wait_for("[DM → bob] Merci, votre problématique est notée (n° 2)")
    before = _state(db)
    deadline_before = before["timers"]["step"]
    left_before = deadline_before - time.time()
    bot.kill()

    assert ("problem", "alice", "Garder les bénévoles") in _inputs(db)
    restarted = BotProcess(config)
    restarted.wait_for("Ctrl-D")
    restarted.type("@bot fac: état")
    status = restarted.wait_for("Étape 4/18")
    assert "Recherche de problématique" in status
    after = _state(db)
    assert after["step_index"] == before["step_index"]
    assert [p["text"] for p in after["problems"]] == ["Garder les bénévoles", "Déléguer la compta"]
    left_after = after["timers"]["step"] - time.time()
    assert after["timers"]["step"] == deadline_before  # the same absolute deadline
    assert 0 < left_before - left_after < 30  # only the time of the restart went by

    restarted.type("@bot chloe: Préparer une fusion")
    restarted.wait_for("[DM → chloe] Merci, votre problématique est notée (n° 3)")
    restarted.type("@bot fac: suivant")
    restarted.wait_for("Alice, à vous de présenter votre problématique n° 1 (2 min)")
    kinds = [k for k, _, _ in _inputs(db)]
    assert kinds.count("problem") == 3
    assert kinds.count("registration") == 3  # nothing handled twice
    restarted.kill()
