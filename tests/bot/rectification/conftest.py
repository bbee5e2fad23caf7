"""Rectification fixtures: the database (SQLite, and PostgreSQL when configured) and the bot."""

from tests.bot.telegram.conftest import (  # noqa: F401  (pytest fixtures, used by name)
    allow_api_error,
    allowed_api_errors,
    api,
    app,
    clock,
    db_url,
)
