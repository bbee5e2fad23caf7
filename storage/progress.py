"""A campaign's progress and its overdue complaints, for evaluators (aggregating queries)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, cast, func, literal_column, select

from storage.models import Answer, Complaint, Submission, Unit
from storage.scoring import overdue_clause
from storage.uow import UnitOfWork


@dataclass
class UnitProgress:
    """One unit: questionnaires started and submitted per survey component."""

    started: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    submitted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # submitted questionnaires (every component) by how they were opened: poster | list
    entries: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Progress:
    """A campaign's progress."""

    units: dict[int, UnitProgress] = field(default_factory=lambda: defaultdict(UnitProgress))
    respondents: dict[str, int] = field(default_factory=dict)  # category → who submitted
    # component → category → respondents who submitted at least one questionnaire for it
    panel: dict[str, dict[str, int]] = field(default_factory=dict)
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


class ProgressRepo:
    """Counts of questionnaires, respondents and answers; overdue complaints."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def progress(self, campaign_id: str, utc_offset_hours: int) -> Progress:
        """Started vs submitted per unit, respondents per category and per panel, and
        answers per local day (`utc_offset_hours` east of UTC)."""
        found = Progress()
        session, s = self.uow.session, Submission
        counted = (s.campaign_id == campaign_id, s.status == "submitted", s.voided.is_(False))
        rows = await session.execute(
            select(s.unit_id, s.component, s.status, s.entry, func.count())
            .where(s.campaign_id == campaign_id, s.voided.is_(False))
            .group_by(s.unit_id, s.component, s.status, s.entry)
        )
        for unit_id, component, status, entry, n in rows:
            unit = found.units[unit_id]
            unit.started[component] += n  # a submitted questionnaire was started too
            if status == "submitted":
                unit.submitted[component] += n
                unit.entries[entry] += n
        people = func.count(func.distinct(s.respondent_id))
        category_rows = await session.execute(
            select(s.category, people).where(*counted).group_by(s.category)
        )
        found.respondents = {category: n for category, n in category_rows}
        panel = select(s.component, s.category, people).where(*counted)
        panel_rows = await session.execute(panel.group_by(s.component, s.category))
        for component, category, n in panel_rows:
            found.panel.setdefault(component, {})[category] = n
        found.per_day = await self._per_day(campaign_id, utc_offset_hours)
        return found

    async def _per_day(self, campaign_id: str, hours: int) -> list[tuple[dt.date, int]]:
        """Answers per local calendar day."""
        day = self._local_day(Answer.answered_at, hours).label("day")
        rows = await self.uow.session.execute(
            select(day, func.count())
            .select_from(Answer)
            .join(Unit, Unit.id == Answer.unit_id)
            .where(Unit.campaign_id == campaign_id)
            .group_by(day)
            .order_by(day)
        )
        return [(_as_date(d), n) for d, n in rows]

    def _local_day(self, column: Any, hours: int) -> Any:
        """The local calendar day of a naive-UTC timestamp column, in this dialect's SQL."""
        if self.uow.db.engine.dialect.name == "sqlite":
            return func.date(column, f"{hours:+d} hours")
        return cast(column + literal_column(f"interval '{int(hours)} hours'"), Date)

    async def overdue(
        self, campaign_id: str, now: dt.datetime, limit: int = 50
    ) -> list[OverdueComplaint]:
        """Open complaints past their due time, the longest overdue first."""
        c = Complaint
        rows = await self.uow.session.execute(
            select(c.tracking, c.unit_id, c.kind, c.status, c.filed_at, c.due_at)
            .where(c.campaign_id == campaign_id, overdue_clause(now))
            .order_by(c.due_at, c.id)
            .limit(limit)
        )
        return [OverdueComplaint(*row) for row in rows]


def _as_date(value: Any) -> dt.date:
    """SQLite returns the day as text, PostgreSQL as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
