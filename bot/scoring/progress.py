"""Progress of a campaign and overdue complaints, for evaluators (aggregating queries)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign.schema import Campaign, Composition
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
    # component → category → respondents who submitted at least one questionnaire for it
    panel: dict[str, dict[str, int]] = field(default_factory=dict)
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)  # answers per local day


@dataclass(frozen=True)
class CompositionCheck:
    """A panel composition rule (e.g. 群众代表 + 企业代表 ≥ 50 %) against who took part."""

    rule: Composition
    members: int  # respondents of the rule's categories in the component
    total: int  # all respondents in the component

    @property
    def share(self) -> Fraction | None:
        """The rule's categories' share of the panel (None before anyone took part)."""
        return Fraction(self.members, self.total) if self.total else None

    @property
    def share_pct(self) -> Decimal | None:
        """The share in percent, for people."""
        share = self.share
        return None if share is None else Decimal(share.numerator) * 100 / share.denominator

    @property
    def met(self) -> bool:
        """True when the share reaches the rule's minimum."""
        share = self.share
        return share is not None and share >= Fraction(str(self.rule.min_share))


def composition_checks(campaign: Campaign, found: Progress) -> list[CompositionCheck]:
    """Every composition rule of the campaign, checked against the panel so far."""
    checks = []
    for rule in campaign.rules.composition:
        panel = found.panel.get(rule.component, {})
        members = sum(n for category, n in panel.items() if category in rule.categories)
        checks.append(CompositionCheck(rule, members, sum(panel.values())))
    return checks


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
    panel_rows = await session.execute(
        select(s.component, s.category, func.count(func.distinct(s.respondent_id)))
        .where(s.campaign_id == campaign.id, s.status == "submitted", s.voided.is_(False))
        .group_by(s.component, s.category)
    )
    for component, category, n in panel_rows:
        found.panel.setdefault(component, {})[category] = n
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
