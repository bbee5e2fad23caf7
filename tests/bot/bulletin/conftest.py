"""The complaint fixtures (the bot with a complaint centre, on both backends)."""

from tests.bot.complaints.conftest import app  # noqa: F401  (fixtures, used by name)
from tests.bot.telegram.conftest import (  # noqa: F401
    allow_api_error,
    allowed_api_errors,
    api,
    clock,
    db_url,
)
