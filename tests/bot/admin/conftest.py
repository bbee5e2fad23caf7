"""Fixtures for the admin engine: services on a SQLite file, people and questionnaires."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert

from bot.app.runtime import open_services
from bot.app.services import Services
from bot.core.clock import FixedClock
from bot.outbox.messages import Blocked, Failed, Outgoing, RateLimited
from storage.models import Answer, Respondent, Submission
from storage.outbox import Progress

CAMPAIGNS = Path(__file__).resolve().parents[3] / "survey_defs"
CAMPAIGN = "changzhou-2011-safety"
COMP = "questionnaire"
ITEMS = ("lawful-duty", "fair-enforcement", "open-government", "service", "integrity")
DAY = dt.date(2011, 8, 1)
ADMIN = 7


@pytest.fixture
def clock() -> FixedClock:
    """10:00 China time inside the Changzhou questionnaire phase."""
    return FixedClock.on_day(DAY)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite file that outlives a restart within one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"


@pytest.fixture
async def services(db_url: str, clock: FixedClock) -> AsyncIterator[Services]:
    """The engine's services (no Telegram)."""
    async with open_services(db_url, CAMPAIGNS, clock, admin_ids=[ADMIN]) as built:
        yield built


def unit_id(services: Services, code: str) -> int:
    """The database id of a Changzhou unit."""
    return services.registry.unit_ids[(CAMPAIGN, code)]


async def add_people(
    services: Services,
    ids: list[int],
    first_seen: dt.datetime | None = None,
    locale: str = "zh-Hans",
    spread: dt.timedelta = dt.timedelta(0),
) -> None:
    """Respondents (first seen `spread` apart)."""
    start = first_seen or services.now()

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Respondent),
            [
                {
                    "id": rid,
                    "locale": locale,
                    "locale_chosen": False,
                    "first_seen": start + spread * n,
                    "last_seen": start + spread * n,
                    "active": True,
                }
                for n, rid in enumerate(ids)
            ],
        )

    await services.db.writer.run(write)


async def add_questionnaire(
    services: Services,
    rid: int,
    unit: int,
    levels: list[str] | None,
    started: dt.datetime | None = None,
) -> None:
    """A questionnaire: submitted with `levels`, or a draft (levels None)."""
    when = started or services.now()

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Submission).values(
                respondent_id=rid,
                unit_id=unit,
                component=COMP,
                campaign_id=CAMPAIGN,
                category="public",
                status="draft" if levels is None else "submitted",
                position=0,
                started_at=when,
                updated_at=when,
                submitted_at=None if levels is None else when,
                voided=False,
            )
        )
        for item, level in zip(ITEMS, levels or [], strict=False):
            conn.execute(
                insert(Answer).values(
                    respondent_id=rid,
                    unit_id=unit,
                    component=COMP,
                    item=item,
                    level=level,
                    answered_at=when,
                )
            )

    await services.db.writer.run(write)


class FakeSender:
    """Records sends; blocked ids answer 403, failing ids 5xx, and the first `limited` 429.

    `hold_after(n)`: once n messages are sent, every further call stays on the wire
    (counted in `held`) until `release()`, so a test can crash with calls in flight.
    """

    def __init__(
        self,
        blocked: set[int] = frozenset(),
        failing: set[int] = frozenset(),  # type: ignore[assignment]
        limited: int = 0,
        delay: float = 0.0,
    ) -> None:
        self.blocked, self.failing, self.limited, self.delay = blocked, failing, limited, delay
        self.sent: list[tuple[int, str]] = []
        self.calls = 0
        self.held = 0  # calls waiting at the gate right now
        self._hold_at: int | None = None
        self._gate = asyncio.Event()

    def hold_after(self, sent: int) -> None:
        """Hold every call made once `sent` messages are sent, until `release()`."""
        self._hold_at = sent
        self._gate.clear()

    def release(self) -> None:
        """Let held and further calls through."""
        self._hold_at = None
        self._gate.set()

    async def send(self, chat_id: int, message: Outgoing) -> None:
        self.calls += 1
        if self._hold_at is not None and len(self.sent) >= self._hold_at:
            self.held += 1
            try:
                await self._gate.wait()
            finally:
                self.held -= 1
        if self.delay:
            await asyncio.sleep(self.delay)  # the latency of a real call, not a wait
        if self.limited > 0:
            self.limited -= 1
            raise RateLimited(0.2)
        if chat_id in self.blocked:
            raise Blocked("Forbidden: bot was blocked by the user")
        if chat_id in self.failing:
            raise Failed("Internal Server Error", transient=True)
        self.sent.append((chat_id, message.text))

    async def show_progress(self, progress: Progress) -> None:
        """Nobody watches these jobs."""


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait (bounded) until `condition()` holds."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 (polling a counter of the code under test)
            await asyncio.sleep(0.01)
