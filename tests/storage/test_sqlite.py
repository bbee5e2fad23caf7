"""The embedded SQLite default: WAL journal and enforced foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from storage.migrate import upgrade_to_head
from storage.uow import Database
from tests.storage.conftest import sqlite_url


async def test_sqlite_file_is_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    path = tmp_path / "pingyi.db"
    url = sqlite_url(path)
    await upgrade_to_head(url)
    async with Database(url) as db, db.engine.connect() as conn:
        journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy_timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert journal == "wal"
    assert foreign_keys == 1
    assert busy_timeout == 5000
    assert path.exists()


async def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "pingyi.db")
    await upgrade_to_head(url)
    async with Database(url) as db:
        with pytest.raises(IntegrityError):
            async with db.engine.begin() as conn:
                await conn.exec_driver_sql(
                    "INSERT INTO conversations (respondent_id, flow, step, data, updated_at)"
                    " VALUES (42, 'idle', 'idle', '{}', '2011-07-25 00:00:00')"
                )
