"""The aggregating queries the scorer runs: the database does the counting.

Answers are never loaded row by row: one GROUP BY per unit × component × item ×
respondent category × level gives every count the scorer needs; marks, findings,
bonuses and complaints are small tables summed by GROUP BY as well.  Only
submitted, non-voided questionnaires count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.scoring.compute import ScoringData, TallyKey
from storage.models import Answer, Bonus, Complaint, Finding, Mark, Submission

SubmissionKey = tuple[int, int, str]  # respondent, unit, component
SUGGESTIONS_PER_UNIT = 3
_CHUNK = 300  # keys per VALUES list (3 parameters each): below every driver's limit


def _tally_select(campaign_id: str) -> Any:
    """Answer counts of counted questionnaires, grouped down to the level."""
    a, s = Answer, Submission
    return (
        select(a.unit_id, a.component, a.item, s.category, a.level, func.count())
        .join(
            s,
            (s.respondent_id == a.respondent_id)
            & (s.unit_id == a.unit_id)
            & (s.component == a.component),
        )
        .where(s.campaign_id == campaign_id, s.status == "submitted", s.voided.is_(False))
        .group_by(a.unit_id, a.component, a.item, s.category, a.level)
    )


async def tally_all(session: AsyncSession, campaign_id: str) -> dict[TallyKey, int]:
    """Every count of a campaign (the full refresh)."""
    rows = await session.execute(_tally_select(campaign_id))
    return {(u, c, i, cat, lv): n for u, c, i, cat, lv, n in rows}


async def tally_units(
    session: AsyncSession, campaign_id: str, unit_ids: Iterable[int]
) -> dict[TallyKey, int]:
    """Every count of some units, exactly (uses the answers' unit index)."""
    found: dict[TallyKey, int] = {}
    for chunk in _chunks(sorted(set(unit_ids))):
        stmt = _tally_select(campaign_id).where(Answer.unit_id.in_(chunk))
        for u, c, i, cat, lv, n in await session.execute(stmt):
            found[(u, c, i, cat, lv)] = n
    return found


# The announced questionnaires that count, their answers counted by the database down
# to the level, and their suggestions: one statement.  Each key's submission is read by
# scalar look-ups on the primary key: joined instead, SQLite (3.38+) builds a Bloom
# filter over every submission of the campaign first (about 40 ms at a million
# answers, against 8 ms for the whole statement).  Suggestion rows have no component.
_NEW = """
WITH new_keys(rid, uid, comp) AS (VALUES {rows}),
counted AS (
  SELECT * FROM (
    SELECT k.rid AS rid, k.uid AS uid, k.comp AS comp,
      (SELECT s.category FROM submissions s
       WHERE s.respondent_id = k.rid AND s.unit_id = k.uid AND s.component = k.comp
         AND s.campaign_id = {campaign} AND s.status = 'submitted' AND s.voided = {no})
        AS category,
      (SELECT s.suggestion FROM submissions s
       WHERE s.respondent_id = k.rid AND s.unit_id = k.uid AND s.component = k.comp)
        AS suggestion,
      (SELECT s.submitted_at FROM submissions s
       WHERE s.respondent_id = k.rid AND s.unit_id = k.uid AND s.component = k.comp)
        AS submitted_at
    FROM new_keys k
  ) looked_up
  WHERE category IS NOT NULL
)
SELECT a.unit_id, a.component, a.item, c.category, a.level, COUNT(*), NULL, NULL, NULL
FROM counted c CROSS JOIN answers a
WHERE a.respondent_id = c.rid AND a.unit_id = c.uid AND a.component = c.comp
GROUP BY a.unit_id, a.component, a.item, c.category, a.level
UNION ALL
SELECT c.uid, NULL, NULL, NULL, NULL, NULL, c.suggestion, c.submitted_at, c.rid
FROM counted c
WHERE c.suggestion IS NOT NULL AND c.suggestion <> ''
"""
_TYPES = ("bigint", "integer", "varchar")


def _with_keys(
    template: str, keys: Sequence[tuple[Any, ...]], paramstyle: str, *extra: Any
) -> tuple[str, tuple[Any, ...]]:
    """SQL over a VALUES table of keys, in the driver's own parameter style: SQLAlchemy's
    handling of hundreds of bound parameters (an expanding IN, or a VALUES construct)
    costs far more than the database takes to answer, and SQLite does not use the
    primary key for a row-value IN here.  PostgreSQL needs the VALUES typed ($n::type);
    on SQLite a CAST there would hide the primary-key index from the planner.  `extra`
    fills {campaign} and {no}."""
    count = iter(range(1, len(keys) * len(_TYPES) + len(extra) + 1))

    def mark(sql_type: str = "") -> str:
        if paramstyle == "numeric_dollar":
            return f"${next(count)}::{sql_type}" if sql_type else f"${next(count)}"
        return "?"

    rows = ", ".join("(" + ", ".join(mark(t) for t in _TYPES) + ")" for _ in keys)
    marks = {name: mark() for name in ("campaign", "no")[: len(extra)]}
    return template.format(rows=rows, **marks), (*(v for key in keys for v in key), *extra)


async def tally_submissions(
    session: AsyncSession, campaign_id: str, keys: Iterable[SubmissionKey]
) -> tuple[dict[TallyKey, int], dict[int, list[str]]]:
    """The counts of some questionnaires only (the incremental refresh), and their
    suggestions per unit, newest first as the full refresh orders them (these are the
    newest of all)."""
    found: dict[TallyKey, int] = {}
    newest: list[tuple[tuple[Any, ...], int, str]] = []
    conn = await session.connection()
    style = conn.dialect.paramstyle
    if style not in ("qmark", "numeric_dollar"):  # pragma: no cover - other drivers
        raise NotImplementedError(f"parameter style {style}")
    for chunk in _chunks(sorted(set(keys))):
        sql, params = _with_keys(_NEW, chunk, style, campaign_id, False)
        rows: Any = await conn.exec_driver_sql(sql, params)
        for u, c, i, cat, lv, n, suggestion, submitted_at, rid in rows:
            if c is not None:
                found[(u, c, i, cat, lv)] = found.get((u, c, i, cat, lv), 0) + n
            elif submitted_at is None:  # pragma: no cover - a submitted one has its time
                newest.append(((0, rid), u, suggestion))
            else:  # newest first, then the larger respondent id (as latest_suggestions)
                newest.append(((1, submitted_at, rid), u, suggestion))
    suggestions: dict[int, list[str]] = {}
    for _, uid, text in sorted(newest, key=lambda row: row[0], reverse=True):
        suggestions.setdefault(uid, []).append(text)
    return found, suggestions


async def load_side_tables(
    session: AsyncSession, campaign_id: str, now: dt.datetime, data: ScoringData
) -> None:
    """Marks, deductions, bonuses, complaints and findings of a campaign into `data`."""
    m = Mark
    marks: dict[tuple[int, str], list[int]] = {}
    mark_rows = await session.execute(
        select(m.unit_id, m.component, m.score_x100)
        .where(m.campaign_id == campaign_id)
        .order_by(m.unit_id, m.component, m.label)
    )
    for unit_id, component, score in mark_rows:
        marks.setdefault((unit_id, component), []).append(score)
    data.marks = marks
    f = Finding
    finding_rows = await session.execute(
        select(f.unit_id, f.component, func.sum(f.points_x100), func.count())
        .where(f.campaign_id == campaign_id)
        .group_by(f.unit_id, f.component)
    )
    data.deductions = {(u, c): (int(total or 0), n) for u, c, total, n in finding_rows}
    data.findings = {}
    for (unit_id, _), (_, n) in data.deductions.items():
        data.findings[unit_id] = data.findings.get(unit_id, 0) + n
    bonus_rows = await session.execute(
        select(Bonus.unit_id, func.sum(Bonus.points_x100))
        .where(Bonus.campaign_id == campaign_id)
        .group_by(Bonus.unit_id)
    )
    data.bonuses = {u: int(total or 0) for u, total in bonus_rows}
    data.complaints, data.overdue = await complaint_counts(session, campaign_id, now)


async def complaint_counts(
    session: AsyncSession, campaign_id: str, now: dt.datetime
) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Complaints per unit by conduct kind, and the overdue ones per unit."""
    c = Complaint
    by_kind: dict[int, dict[str, int]] = {}
    kind_rows = await session.execute(
        select(c.unit_id, c.kind, func.count())
        .where(c.campaign_id == campaign_id, c.unit_id.is_not(None))
        .group_by(c.unit_id, c.kind)
    )
    for unit_id, kind, n in kind_rows:
        if unit_id is not None:
            by_kind.setdefault(unit_id, {})[kind] = n
    overdue_rows = await session.execute(
        select(c.unit_id, func.count())
        .where(c.campaign_id == campaign_id, c.unit_id.is_not(None), overdue_clause(now))
        .group_by(c.unit_id)
    )
    return by_kind, {u: n for u, n in overdue_rows if u is not None}


def overdue_clause(now: dt.datetime) -> Any:
    """Open complaints past their due time (or already escalated as overdue)."""
    c = Complaint
    return and_(c.status != "closed", or_(c.overdue.is_(True), c.due_at < now))


async def latest_suggestions(
    session: AsyncSession, campaign_id: str, unit_ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """The newest suggestions per unit, newest first (a window function picks them)."""
    s = Submission
    newest = (
        func.row_number()
        .over(partition_by=s.unit_id, order_by=(s.submitted_at.desc(), s.respondent_id.desc()))
        .label("n")
    )
    inner = select(s.unit_id, s.suggestion, newest).where(
        s.campaign_id == campaign_id,
        s.status == "submitted",
        s.voided.is_(False),
        s.suggestion.is_not(None),
        s.suggestion != "",
    )
    if unit_ids is not None:
        inner = inner.where(s.unit_id.in_(sorted(set(unit_ids))))
    sub = inner.subquery()
    newest_rows = await session.execute(
        select(sub.c.unit_id, sub.c.suggestion)
        .where(sub.c.n <= SUGGESTIONS_PER_UNIT)
        .order_by(sub.c.unit_id, sub.c.n)
    )
    found: dict[int, list[str]] = {}
    for unit_id, suggestion in newest_rows:
        found.setdefault(unit_id, []).append(suggestion)
    return found


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])
