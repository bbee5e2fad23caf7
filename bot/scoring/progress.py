"""Progress of a campaign and overdue complaints, for evaluators (aggregating queries)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign.schema import Campaign
from bot.scoring.queries import overdue_clause
from storage.models import Answer, Complaint, Submission, Unit


@dataclass
class UnitProgress:
    """One unit: questionnaires started and submitted per survey component."""

    started: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    submitted: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Progress:
    """A campaign's progress."""

    units: dict[int, UnitProgress] = field(default_factory=lambda: defaultdict(UnitProgress))
    respondents: dict[str, int] = field(default_factory=dict)  # category → who submitted
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)  # answers per local day


@dataclass(frozen=True)
class OverdueComplaint:
    """An open complaint past its due time (never who filed it)."""

    tracking: str
    unit_id: int | None
    kind: str
    status: str
    filed_at: dt.datetime
    due_at: dt.datetime


def _utc_offset_hours(campaign: Campaign) -> int:
    """The campaign's offset from UTC in whole hours (China: +8, no daylight saving)."""
    start = dt.datetime.combine(campaign.phases[0].start, dt.time(12), ZoneInfo(campaign.timezone))
    offset = start.utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 3600)


def _local_day(column: Any, hours: int, dialect: str) -> Any:
    """The local calendar day of a naive-UTC timestamp column, in SQL for each dialect."""
    if dialect == "sqlite":
        return func.date(column, f"{hours:+d} hours")
    return cast(column + literal_column(f"interval '{hours} hours'"), Date)


async def progress(session: AsyncSession, campaign: Campaign, dialect: str) -> Progress:
    """Started vs submitted per unit, respondents per category, answers per day."""
    found = Progress()
    s = Submission
    rows = await session.execute(
        select(s.unit_id, s.component, s.status, func.count())
        .where(s.campaign_id == campaign.id, s.voided.is_(False))
        .group_by(s.unit_id, s.component, s.status)
    )
    for unit_id, component, status, n in rows:
        unit = found.units[unit_id]
        unit.started[component] += n  # a submitted questionnaire was started too
        if status == "submitted":
            unit.submitted[component] += n
    category_rows = await session.execute(
        select(s.category, func.count(func.distinct(s.respondent_id)))
        .where(s.campaign_id == campaign.id, s.status == "submitted", s.voided.is_(False))
        .group_by(s.category)
    )
    found.respondents = {category: n for category, n in category_rows}
    day = _local_day(Answer.answered_at, _utc_offset_hours(campaign), dialect).label("day")
    day_rows = await session.execute(
        select(day, func.count())
        .select_from(Answer)
        .join(Unit, Unit.id == Answer.unit_id)
        .where(Unit.campaign_id == campaign.id)
        .group_by(day)
        .order_by(day)
    )
    found.per_day = [(_as_date(d), n) for d, n in day_rows]
    return found


def _as_date(value: Any) -> dt.date:
    """SQLite returns the day as text, PostgreSQL as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def overdue(
    session: AsyncSession, campaign_id: str, now: dt.datetime, limit: int = 50
) -> list[OverdueComplaint]:
    """Open complaints past their due time, the longest overdue first."""
    c = Complaint
    rows = await session.execute(
        select(c.tracking, c.unit_id, c.kind, c.status, c.filed_at, c.due_at)
        .where(c.campaign_id == campaign_id, overdue_clause(now))
        .order_by(c.due_at, c.id)
        .limit(limit)
    )
    return [OverdueComplaint(*row) for row in rows]
