"""Helpers for the tests against the real Synapse (started once per test session in conftest).

Every test gets its own bot account and its own people (fresh localparts), so tests sharing
the homeserver never see each other's rooms.
"""

import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from people_kit import BotInProcess, heard, texts, until  # noqa: F401  (re-exported)

from adapters.matrix import MatrixAdapter
from bot.config import Config, MatrixSection, StorageSection, TimingSection
from bot.scenario import FACILITATOR, PARTICIPANTS
from bot.state import AtelierState
from bot.store import Store
from bot.testing import FrozenClock
from devkit.matrix_people import MatrixPeople
from devkit.synapse_local import Account, LocalSynapse

CAST = (FACILITATOR, *PARTICIPANTS)


class Homeserver:
    def __init__(self, server: LocalSynapse) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    def account(self, name: str) -> Account:
        """A new account whose localpart starts with ``name`` (unique in the session)."""
        localpart = f"{name}_{secrets.token_hex(3)}"
        return self.server.register(localpart, secrets.token_urlsafe(10))

    def accounts(self, names: Iterable[str]) -> dict[str, Account]:
        return {name: self.account(name) for name in names}


def bot_config(hs: Homeserver, bot: Account, folder: Path, spm: float, **matrix: Any) -> Config:
    return Config(
        storage=StorageSection(path=folder / "atelier.db"),
        timing=TimingSection(seconds_per_minute=spm),
        matrix=MatrixSection(
            homeserver=hs.url, user_id=bot.user_id, password=bot.password, **matrix
        ),
    )


class InProcessBot(BotInProcess):
    """The bot with its Matrix adapter, in the test's own event loop."""

    def make_adapter(self, store: Store) -> MatrixAdapter:
        assert self.config.matrix is not None
        return MatrixAdapter(
            self.config.matrix,
            store,
            language=self.config.bot.language,
            key_dir=self.config.storage.path.with_name("keys"),
        )


def people_for(
    hs: Homeserver,
    bot_user: str,
    accounts: dict[str, Account],
    folder: Path,
    refs: Callable[[str, str], Awaitable[str | None]],
    state: Callable[[str], Awaitable[AtelierState | None]],
) -> MatrixPeople:
    return MatrixPeople(hs.url, accounts, bot_user, key_dir=folder, refs=refs, state=state)


@dataclass
class Setup:
    """A bot (running in this process) and people with accounts, ready to open a room."""

    bot_account: Account
    config: Config
    bot: InProcessBot
    people: MatrixPeople

    async def close(self) -> None:
        await self.people.close()
        await self.bot.stop()


async def setup(
    hs: Homeserver,
    folder: Path,
    names: Iterable[str],
    *,
    spm: float = 60,
    config: Config | None = None,
    clock: FrozenClock | None = None,
    **matrix: Any,
) -> Setup:
    """A new bot account and bot (or one on ``config``), and people named ``names``."""
    if config is None:
        bot_account = hs.account("atelier")
        config = bot_config(hs, bot_account, folder, spm, **matrix)
    else:
        assert config.matrix is not None
        bot_account = Account(config.matrix.user_id, config.matrix.password or "", "atelier")
    bot = InProcessBot(config)
    bot.clock = clock  # a test clock: the timers wait for bot.advance
    await bot.start()
    people = people_for(
        hs, bot_account.user_id, hs.accounts(names), folder / "people", bot.refs, bot.state
    )
    return Setup(bot_account, config, bot, people)
