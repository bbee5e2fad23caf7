"""Storage fixtures: every test runs on SQLite (a real file) and on PostgreSQL.

PostgreSQL runs only when PINGYI_TEST_POSTGRES_URL names a database the tests may
wipe (`.ci/run` sets one up); otherwise its parameter is skipped with a reason.
Each PostgreSQL test starts from an empty `public` schema, so the migrations
always run from nothing, as they do on SQLite's fresh file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.migrate import upgrade_to_head
from storage.uow import Database

POSTGRES_ENV = "PINGYI_TEST_POSTGRES_URL"
POSTGRES_URL = os.environ.get(POSTGRES_ENV, "")
POSTGRES_SKIP = f"PostgreSQL not configured: set {POSTGRES_ENV}"

# A moment with microseconds, in China's time zone: storage must keep the instant.
NOW = dt.datetime(2011, 7, 25, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def sqlite_url(path: Path) -> str:
    """The aiosqlite URL of a database file."""
    return f"sqlite+aiosqlite:///{path}"


async def reset_postgres(url: str) -> None:
    """Drop everything in the test database: the next migration starts from empty."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=POSTGRES_SKIP)
        ),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, one per backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "pingyi.db")
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database with its writer running."""
    await upgrade_to_head(database_url)
    database = Database(database_url)
    await database.start()
    try:
        yield database
    finally:
        await database.close()
