"""Scorer fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

`db_url` (tests/bot/telegram's, also what its `app` fixture starts the bot on) is a
fresh SQLite file, or the PostgreSQL database named by PINGYI_TEST_POSTGRES_URL with an
emptied `public` schema — skipped, with the reason shown, when the variable is not set.
The scorer's incremental queries are raw SQL with one branch per driver.
"""

from tests.bot.telegram.conftest import (  # noqa: F401  (pytest fixtures, used by name)
    allow_api_error,
    allowed_api_errors,
    api,
    app,
    clock,
    db_url,
)
