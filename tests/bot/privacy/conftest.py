"""Privacy tests drive the real bot with a complaint centre (the complaints fixtures)."""

from tests.bot.complaints.conftest import (  # noqa: F401  (fixtures, used by name)
    CENTRE_ID,
    ComplaintApp,
    allow_api_error,
    allowed_api_errors,
    api,
    app,
    clock,
    db_url,
)
