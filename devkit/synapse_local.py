"""A local Synapse homeserver on 127.0.0.1, for the demo, for rehearsals and for the tests.

Synapse is installed from PyPI into its own virtual environment (it pins many packages of its
own), runs on SQLite, and is configured for a small private server: no federation, no public
registration, fast password hashing and rate limits wide enough for a group of simulated people.
Accounts are created through the shared-secret admin API.

    python -m devkit.synapse_local up --dir .local-matrix --users 6 --config config.toml
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Account", "LocalSynapse", "ensure_installed"]

SYNAPSE_VERSION = "1.163.2"
SERVER_NAME = "localhost"
BOT_LOCALPART = "atelier"
DEMO_PEOPLE = ("camille", "alice", "bruno", "chloe", "driss", "elise")
#: Synapse's own environment, shared by the demo, the tests and `scripts/homeserver`
SYNAPSE_VENV = Path(
    os.environ.get("ATELIER_SYNAPSE_VENV") or Path(__file__).resolve().parents[1] / ".venv-synapse"
)

_WIDE = {"per_second": 1000, "burst_count": 1000}
_RATE_LIMITS = {
    "rc_message": _WIDE,
    "rc_registration": _WIDE,
    "rc_login": {"address": _WIDE, "account": _WIDE, "failed_attempts": _WIDE},
    "rc_joins": {"local": _WIDE, "remote": _WIDE},
    "rc_joins_per_room": _WIDE,
    "rc_invites": {"per_room": _WIDE, "per_user": _WIDE, "per_issuer": _WIDE},
    "rc_room_creation": _WIDE,
    "rc_admin_redaction": _WIDE,
    "rc_key_requests": _WIDE,
    "rc_3pid_validation": _WIDE,
    "rc_presence": {"per_user": _WIDE},
    "rc_delayed_event_mgmt": _WIDE,
    "rc_profile": _WIDE,
}


def ensure_installed(venv: Path) -> Path:
    """Synapse's own virtual environment (created and filled from PyPI when missing)."""
    python = venv / "bin" / "python"
    stamp = venv / f".synapse-{SYNAPSE_VERSION}"
    if not stamp.exists():
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"matrix-synapse=={SYNAPSE_VERSION}"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        stamp.touch()
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str
    localpart: str


def _yaml(value: object) -> str:
    """JSON is valid YAML; Synapse reads it as such."""
    return json.dumps(value, indent=2)


class LocalSynapse:
    """One Synapse process with its files in ``folder`` (kept across restarts)."""

    def __init__(
        self,
        folder: Path,
        python: Path,
        port: int | None = None,
        overrides: dict[str, object] | None = None,
    ) -> None:
        """``overrides`` replace settings of the generated configuration (e.g. a rate limit)."""
        self.folder = folder.resolve()
        self.python = python
        self.config_path = self.folder / "homeserver.yaml"
        self.proc: subprocess.Popen[bytes] | None = None
        if self.config_path.exists():
            settings = json.loads(self.config_path.read_text())
            self.port = int(settings["listeners"][0]["port"])
            self.secret = str(settings["registration_shared_secret"])
        else:
            self.port = port or free_port()
            self.secret = secrets.token_hex(16)
            self._write_config(overrides or {})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write_config(self, overrides: dict[str, object]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log_config = self.folder / "log.yaml"
        log_config.write_text(
            _yaml(
                {
                    "version": 1,
                    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(message)s"}},
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "formatter": "plain",
                            "filename": str(self.folder / "homeserver.log"),
                        }
                    },
                    "root": {"level": "WARNING", "handlers": ["file"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        settings = {
            "server_name": SERVER_NAME,
            "pid_file": str(self.folder / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.folder / "homeserver.db")},
            },
            "log_config": str(log_config),
            "media_store_path": str(self.folder / "media"),
            "signing_key_path": str(self.folder / "signing.key"),
            "registration_shared_secret": self.secret,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "enable_registration": False,
            "bcrypt_rounds": 4,
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            **_RATE_LIMITS,
            **overrides,
        }
        self.config_path.write_text(_yaml(settings))
        subprocess.run(
            [
                str(self.python),
                "-m",
                "synapse.app.homeserver",
                "--config-path",
                str(self.config_path),
                "--generate-keys",
            ],
            check=True,
            capture_output=True,
        )

    # -- process -------------------------------------------------------------------------------
    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def start(self, limit: float = 60.0) -> None:
        """Start Synapse (or adopt the one an earlier ``--keep`` left running in this folder)."""
        if self.proc is not None and self.proc.poll() is None:
            return
        if self._answers():
            return
        log = (self.folder / "stdout.log").open("ab")
        self.proc = subprocess.Popen(
            [
                str(self.python),
                "-m",
                "synapse.app.homeserver",
                "--config-path",
                str(self.config_path),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,
        )
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Synapse exited at start; see {self.folder / 'stdout.log'}")
            if self._answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"Synapse did not answer within {limit:.0f} s on {self.url}")

    def stop(self) -> None:
        if self.proc is None:  # adopted: stop it through its pid file
            pid_file = self.folder / "homeserver.pid"
            if pid_file.exists() and self._answers():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            return
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    # -- accounts ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: dict[str, object] | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read()))

    def register(self, localpart: str, password: str, *, admin: bool = False) -> Account:
        """Create an account; one that exists already is kept (with the password given)."""
        nonce = str(self._request("GET", "/_synapse/admin/v1/register")["nonce"])
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": _mac(self.secret, nonce, localpart, password, admin),
        }
        try:
            self._request("POST", "/_synapse/admin/v1/register", body)
        except urllib.error.HTTPError as error:
            if error.code != 400 or b"M_USER_IN_USE" not in error.read():
                raise
        return Account(f"@{localpart}:{SERVER_NAME}", password, localpart)


def _mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    """The shared-secret registration MAC (HMAC-SHA1 over NUL-separated fields)."""
    fields = (nonce, user, password, "admin" if admin else "notadmin")
    mac = hmac.new(secret.encode(), b"\x00".join(f.encode() for f in fields), hashlib.sha1)
    return mac.hexdigest()


def prepare(
    folder: Path, people: tuple[str, ...] = DEMO_PEOPLE
) -> tuple[LocalSynapse, dict[str, Account]]:
    """Install, start and fill a local homeserver in ``folder``; accounts are kept there.

    Returns the running server and the accounts by localpart (the bot's is ``atelier``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    python = ensure_installed(SYNAPSE_VENV)
    server = LocalSynapse(folder / "server", python)
    server.start()
    passwords_file = folder / "accounts.json"
    passwords: dict[str, str] = {}
    if passwords_file.exists():
        passwords = json.loads(passwords_file.read_text())
    accounts: dict[str, Account] = {}
    for localpart in (BOT_LOCALPART, *people):
        password = passwords.setdefault(localpart, secrets.token_urlsafe(12))
        accounts[localpart] = server.register(localpart, password)
    passwords_file.write_text(json.dumps(passwords, indent=2))
    return server, accounts


def bot_config(server: LocalSynapse, bot: Account, storage: Path, seconds_per_minute: float) -> str:
    """A ready ``config.toml`` for the bot on this homeserver."""
    return (
        "# Written by `scripts/homeserver` for the local Synapse it started.\n"
        "[storage]\n"
        f'path = "{storage}"\n\n'
        "[timing]\n"
        f"seconds_per_minute = {seconds_per_minute}\n\n"
        "[matrix]\n"
        f'homeserver = "{server.url}"\n'
        f'user_id = "{bot.user_id}"\n'
        f'password = "{bot.password}"\n'
        'allowed_inviters = [":localhost"]\n'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/homeserver",
        description="Start a local Synapse on 127.0.0.1 with accounts for the bot and people.",
    )
    parser.add_argument("--dir", default=".local-matrix", help="where Synapse and its data live")
    parser.add_argument("--config", default="config.toml", help="bot configuration to write")
    parser.add_argument(
        "--people", default=",".join(DEMO_PEOPLE), help="accounts to create (comma-separated)"
    )
    parser.add_argument("--seconds-per-minute", type=float, default=60.0)
    args = parser.parse_args(argv)
    folder = Path(args.dir).resolve()
    people = tuple(p.strip() for p in args.people.split(",") if p.strip())
    print(f"Installing and starting Synapse in {folder} …", flush=True)
    server, accounts = prepare(folder, people)
    config = Path(args.config)
    config.write_text(
        bot_config(server, accounts[BOT_LOCALPART], folder / "atelier.db", args.seconds_per_minute)
    )
    print(f"Homeserver: {server.url}  (server name: {SERVER_NAME})")
    for account in accounts.values():
        print(f"  {account.user_id:24} password: {account.password}")
    print(f"Wrote {config}. Start the bot with: .venv/bin/atelier-bot run --config {config}")
    print("Synapse runs until Ctrl-C.", flush=True)
    try:
        assert server.proc is not None
        server.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
