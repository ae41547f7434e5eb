"""Configuration: ``config.toml`` validated by pydantic, secrets overridable by environment.

Any key can be overridden by ``ATELIER_<SECTION>_<KEY>`` (e.g. ``ATELIER_MATRIX_PASSWORD``),
which keeps secrets out of the file. A section that is present enables that platform. Unknown
keys and wrong values stop start-up with one error naming the key (``ConfigError``).
"""

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.clock import zone
from bot.retention import MOST_DAYS, RETENTION_DAYS

__all__ = ["Config", "ConfigError", "listen_address", "load_config", "warnings"]

ENV_PREFIX = "ATELIER_"
#: keys whose values are never printed
SECRET_KEYS = frozenset({"password", "access_token", "token", "command_token"})


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BotSection(_Section):
    language: Literal["fr", "en"] = "fr"
    command_prefix: str = Field(default="!atelier", min_length=1, pattern=r"^\S+$")
    timezone: str = "Europe/Paris"
    default_format: str = "atelier_entraide"
    formats_dir: Path | None = None
    #: a folder with fr.toml / en.toml rewording some of the bot's texts (only the keys to change)
    texts_dir: Path | None = None
    #: who may start an atelier in a room: "anyone" in it, its "moderators", or a list of ids
    who_may_start: Literal["anyone", "moderators"] | list[str] = "anyone"
    #: days a private input kept past an atelier stays (a carried problem): bot/retention.py
    retention_days: int = Field(default=RETENTION_DAYS, ge=1, le=MOST_DAYS)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _known_timezone(value)


def _known_timezone(value: str) -> str:
    if zone(value).key != value:
        raise ValueError("unknown time zone (write it like 'Europe/Paris')")
    return value


class StorageSection(_Section):
    path: Path = Path("atelier.db")


class TimingSection(_Section):
    seconds_per_minute: float = Field(default=60.0, gt=0, le=3600)


class PlanningSection(_Section):
    """Planned sessions (``!atelier planifier``): when invitations and reminders go out, and how
    late a session missed while the bot was down may still open."""

    invite_days_ahead: float = Field(default=7, gt=0, le=60)
    first_reminder_hours: float = Field(default=24, ge=0, le=24 * 14)
    last_reminder_minutes: float = Field(default=15, ge=0, le=24 * 60)
    late_grace_minutes: float = Field(default=30, ge=0, le=24 * 60)
    #: days after an atelier when its offerer is asked how their actions went (0: never)
    follow_up_days: float = Field(default=14, ge=0, le=365)


class MatrixSection(_Section):
    homeserver: str = Field(pattern=r"^https?://")
    user_id: str = Field(pattern=r"^@[^:]+:.+$")
    password: str | None = None
    access_token: str | None = None
    device_name: str = "atelier-bot"
    #: user ids, ":server" suffixes or "*"; empty means people of the bot's own server
    allowed_inviters: list[str] = Field(default_factory=list)
    #: where the end-to-end encryption keys are kept (default: beside the storage file)
    key_dir: Path | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> "MatrixSection":
        if not self.password and not self.access_token:
            raise ValueError("give `password` or `access_token` (or ATELIER_MATRIX_PASSWORD)")
        return self


class MattermostSection(_Section):
    url: str = Field(pattern=r"^https?://")
    token: str | None = None
    login_id: str | None = None
    password: str | None = None
    team: str | None = None
    verify_tls: bool = True
    #: a CA certificate to trust (a private or self-signed server certificate)
    ca_file: Path | None = None
    #: the bot's HTTP endpoint for the `/atelier` slash command and the buttons: the address
    #: it listens on ("127.0.0.1:8066"), and its URL as the Mattermost server reaches it
    listen: str | None = None
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    #: the slash command's token, which Mattermost sends with each `/atelier` (given when the
    #: command is registered: `atelier-bot mattermost-setup`); without it `/atelier` is refused
    command_token: str | None = None
    #: the slash command's trigger word (`/atelier`)
    command_trigger: str = Field(default="atelier", pattern=r"^[a-z0-9][a-z0-9_.-]{0,127}$")

    @model_validator(mode="after")
    def _has_credentials(self) -> "MattermostSection":
        if not self.token and not (self.login_id and self.password):
            raise ValueError("give `token`, or `login_id` and `password`")
        if (self.listen is None) != (self.public_url is None):
            raise ValueError(
                "give both `listen` (where the bot listens) and `public_url` (how the "
                "Mattermost server reaches it), or neither (no `/atelier`, no buttons)"
            )
        if self.listen is not None:
            listen_address(self.listen)
        return self


def listen_address(value: str) -> tuple[str, int]:
    """``"127.0.0.1:8066"`` → ``("127.0.0.1", 8066)``; ``"[::1]:8066"`` for IPv6."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"`listen` must be host:port, e.g. 127.0.0.1:8066 (got {value!r})")
    return host, int(port)


class RoomSection(_Section):
    """One room's own settings (``[rooms."<room id>"]``), each in place of ``[bot]``'s."""

    retention_days: int | None = Field(default=None, ge=1, le=MOST_DAYS)
    #: the room's dates and times (a group in Montréal, another in Paris)
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else _known_timezone(value)


class Config(_Section):
    bot: BotSection = Field(default_factory=BotSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    timing: TimingSection = Field(default_factory=TimingSection)
    planning: PlanningSection = Field(default_factory=PlanningSection)
    matrix: MatrixSection | None = None
    mattermost: MattermostSection | None = None
    rooms: dict[str, RoomSection] = Field(default_factory=dict)


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
        if section in Config.model_fields and key:
            data.setdefault(section, {})
            if isinstance(data[section], dict):
                data[section][key] = value
    return data


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against config.example.toml)"
    if len(loc) >= 2:
        where = f"[{loc[0]}] {'.'.join(loc[1:])}"
    elif loc:
        where = f"[{loc[0]}]"
    else:
        where = "(file)"
    got = first.get("input")
    shown = first["type"] != "missing" and not isinstance(got, dict)
    secret = bool(loc) and loc[-1] in SECRET_KEYS  # a wrong password is not printed
    suffix = f" (got {got!r})" if shown and not secret else ""
    return f"{where}: {message}{suffix}"


def warnings(config: Config) -> list[str]:
    """What is allowed but unsafe: said at start-up and by ``check-config``, without secrets."""
    found: list[str] = []
    if config.matrix is not None and _plain_http_elsewhere(config.matrix.homeserver):
        found.append(
            "[matrix] homeserver: plain http:// to another machine sends passwords and "
            "everyone's words unencrypted; use https://"
        )
    if config.mattermost is not None:
        if _plain_http_elsewhere(config.mattermost.url):
            found.append(
                "[mattermost] url: plain http:// to another machine sends the token and "
                "everyone's words unencrypted; use https://"
            )
        if config.mattermost.listen is not None and not config.mattermost.command_token:
            found.append(
                "[mattermost] command_token is not set: `/atelier` is refused until it is "
                "(`atelier-bot mattermost-setup` registers the command and prints it); buttons work"
            )
        if not config.mattermost.verify_tls:
            found.append(
                "[mattermost] verify_tls = false: anyone on the network path can pose as the "
                "server; give its certificate with ca_file instead"
            )
    return found


def _plain_http_elsewhere(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return url.startswith("http://") and host not in ("localhost", "127.0.0.1", "::1")


def load_config(path: Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read, override from the environment, and validate. ``None`` means all defaults."""
    data: dict[str, Any] = {}
    name = str(path) if path is not None else "(defaults)"
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read the file ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{name}: not valid TOML ({exc})") from exc
    data = _apply_env(data, dict(os.environ) if environ is None else environ)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{name}: {_describe(exc)}") from exc
