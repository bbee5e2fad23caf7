"""Building hand-made datasets for the scorer tests: questionnaires straight into the tables."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Connection, insert

from bot.app.runtime import open_services
from bot.app.services import Services
from bot.core.clock import FixedClock
from storage.models import Answer, Finding, Respondent, Submission

CAMPAIGNS = Path(__file__).resolve().parents[3] / "survey_defs"
V, F, B, D, K = (
    "very_satisfied",
    "fairly_satisfied",
    "basically_satisfied",
    "dissatisfied",
    "dont_know",
)
_ids = itertools.count(10_000)


@asynccontextmanager
async def scoring_services(
    db_url: str, day: dt.date, campaigns: Path = CAMPAIGNS
) -> AsyncIterator[Services]:
    """Services over a fresh database (the `db_url` fixture: SQLite or PostgreSQL), the
    clock on `day`, the campaign files of `campaigns`."""
    async with open_services(db_url, campaigns, FixedClock.on_day(day)) as services:
        yield services


def unit_id(services: Services, campaign_id: str, code: str) -> int:
    """The database id of a unit."""
    return services.registry.unit_ids[(campaign_id, code)]


async def add_questionnaires(
    services: Services,
    campaign_id: str,
    code: str,
    component: str,
    levels: list[str],
    count: int,
    category: str = "public",
    *,
    status: str = "submitted",
    voided: bool = False,
    suggestion: str | None = None,
    entry: str = "list",
) -> list[tuple[int, int, str]]:
    """`count` questionnaires about unit `code`, each answering the items with `levels`."""
    campaign = services.registry.campaigns[campaign_id]
    items = [i.id for i in campaign.questionnaire_for(campaign.component(component)).items]
    assert len(levels) == len(items), "one level per item"
    uid = unit_id(services, campaign_id, code)
    now = services.clock.now()
    keys = [(next(_ids), uid, component) for _ in range(count)]

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Respondent),
            [
                {
                    "id": rid,
                    "locale": "zh-Hans",
                    "locale_chosen": False,
                    "first_seen": now,
                    "last_seen": now,
                    "active": True,
                }
                for rid, _, _ in keys
            ],
        )
        conn.execute(
            insert(Submission),
            [
                {
                    "respondent_id": rid,
                    "unit_id": uid,
                    "component": component,
                    "campaign_id": campaign_id,
                    "category": category,
                    "status": status,
                    "position": 0,
                    "suggestion": suggestion,
                    "started_at": now,
                    "updated_at": now,
                    "submitted_at": now if status == "submitted" else None,
                    "voided": voided,
                    "entry": entry,
                }
                for rid, _, _ in keys
            ],
        )
        conn.execute(
            insert(Answer),
            [
                {
                    "respondent_id": rid,
                    "unit_id": uid,
                    "component": component,
                    "item": item,
                    "level": level,
                    "answered_at": now,
                }
                for rid, _, _ in keys
                for item, level in zip(items, levels, strict=True)
            ],
        )

    await services.db.writer.run(write)
    return keys


async def add_complaint_finding(
    services: Services, campaign_id: str, code: str, component: str, points: str
) -> None:
    """A substantiated complaint's finding, as the complaint desk writes it."""
    uid = unit_id(services, campaign_id, code)
    now = services.clock.now()
    hundredths = int(float(points) * 100)

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Finding).values(
                campaign_id=campaign_id,
                unit_id=uid,
                component=component,
                source="complaint",
                reference="TS-1",
                points_x100=hundredths,
                note="",
                recorded_by=None,
                recorded_at=now,
            )
        )

    await services.db.writer.run(write)
