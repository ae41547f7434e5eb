"""The database holds people's words: it is created readable by its owner only."""

import logging
import stat

from bot.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "data" / "atelier.db"
    store = await Store.open(path)
    await store.put("probe", "x")  # writes through the WAL
    assert _mode(path) == 0o600
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and _mode(wal) & 0o077 == 0
    await store.close()


async def test_an_existing_database_readable_by_others_is_reported(tmp_path, caplog):
    path = tmp_path / "atelier.db"
    store = await Store.open(path)
    await store.close()
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        store = await Store.open(path)
    await store.close()
    assert "chmod 600" in caplog.text and _mode(path) == 0o644  # told, not changed behind them
