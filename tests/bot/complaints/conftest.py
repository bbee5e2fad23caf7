"""Fixtures for complaints: the real bot with a complaint centre, over the local Bot API.

`db_url` is the shared two-backend fixture: every complaint test runs on SQLite and,
when PINGYI_TEST_POSTGRES_URL is set, on PostgreSQL (storage/complaints.py is hand-built SQL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.complaints.service import Centre
from bot.core.clock import FixedClock
from bot.localapi import LocalBotAPI
from tests.bot.telegram.conftest import (  # noqa: F401  (fixtures, used by name)
    BotApp,
    allow_api_error,
    allowed_api_errors,
    api,
    clock,
    db_url,
)

CENTRE_ID = 90_001


class ComplaintApp(BotApp):
    """The bot with CENTRE_ID as the complaint centre (again after every restart)."""

    async def start(self) -> None:
        """Start as `pingyi run` would, then name the centre."""
        await super().start()
        self.services.complaints.centre = Centre(frozenset({CENTRE_ID}))


@pytest.fixture
async def app(
    api: LocalBotAPI,  # noqa: F811
    db_url: str,  # noqa: F811
    clock: FixedClock,  # noqa: F811
    framework: str,
) -> AsyncIterator[ComplaintApp]:
    """The real bot (each adapter), running with a complaint centre; stopped after the test."""
    running = ComplaintApp(api, db_url, clock, framework)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
