"""Scorer fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

`db_url` (also what the end-to-end `app` fixture of tests/bot/telegram starts the bot
on) is a fresh SQLite file, or the PostgreSQL database named by
PINGYI_TEST_POSTGRES_URL with an emptied `public` schema — that parameter is skipped,
with the reason shown, when the variable is not set.  The scorer's incremental
queries are raw SQL with one branch per driver, so both must run here.
"""

from pathlib import Path

import pytest

from tests.bot.telegram.conftest import (  # noqa: F401  (pytest fixtures, used by name)
    allow_api_error,
    allowed_api_errors,
    api,
    app,
    clock,
)
from tests.storage.conftest import POSTGRES_SKIP, POSTGRES_URL, reset_postgres, sqlite_url


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=POSTGRES_SKIP)
        ),
    ]
)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, one per backend (it outlives a restart of the bot)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "pingyi.db")
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL
