"""The scorer's storage: the aggregating queries it runs, and its stored results.

Answers are never loaded row by row: one GROUP BY per unit × component × item ×
respondent category × level gives every count the scorer needs; marks, findings,
bonuses and complaints are small tables summed by GROUP BY as well.  Only
submitted, non-voided questionnaires count.  The results of a refresh are a
cache: one row per unit (its figures as JSON text) and one per campaign (the run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, literal, or_, select

from storage.models import (
    Answer,
    Bonus,
    Complaint,
    Finding,
    Mark,
    ScoreResult,
    ScoreRun,
    Submission,
)
from storage.uow import UnitOfWork

TallyKey = tuple[int, str, str, str, str]  # (unit id, component, item, category, level)
# A tally key whose item and level are both PEOPLE counts respondents, not answers: the
# questionnaires about the unit in that component with at least one valid answer (not
# 不了解) — the sample is people (seed 002 四; docs/domain.md), never item answers.
PEOPLE = ""
_ABSTAIN = "dont_know"  # the level that is no valid answer (bot.campaign.schema.Level)
SubmissionKey = tuple[int, int, str]  # respondent, unit, component
SUGGESTIONS_PER_UNIT = 3
_CHUNK = 300  # keys per VALUES list (3 parameters each): below every driver's limit


@dataclass
class SideTables:
    """A campaign's small tables, summed: what the scorer needs besides the answers."""

    marks: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # scores ×100
    deductions: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)  # ×100, n
    findings: dict[int, int] = field(default_factory=dict)  # unit → findings
    bonuses: dict[int, int] = field(default_factory=dict)  # unit → points ×100
    complaints: dict[int, dict[str, int]] = field(default_factory=dict)  # unit → kind → n
    overdue: dict[int, int] = field(default_factory=dict)  # unit → overdue complaints


@dataclass(frozen=True)
class ResultRow:
    """One unit's stored figures: the columns reports filter on, and the whole as JSON."""

    unit_id: int
    status: str
    composite_x100: int | None
    rank: int | None
    flagged: bool
    data: str  # the unit's figures as JSON text


@dataclass(frozen=True)
class RunRow:
    """One refresh of a campaign: when, over how many answers, how long, kinds' averages."""

    campaign_id: str
    computed_at: dt.datetime
    answers: int
    full: bool
    millis: int
    kind_average: dict[str, str] = field(default_factory=dict)  # kind → Decimal as text


@dataclass(frozen=True)
class StoredResults:
    """A campaign's last stored refresh: the run and every unit's JSON text."""

    run: RunRow
    units: list[str]


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


def _people_select(campaign_id: str) -> Any:
    """Respondents with at least one valid answer, per unit, component and category: the
    counted questionnaires having one (an index look-up each, not a scan of the answers)."""
    a, s = Answer, Submission
    valid = (
        select(a.respondent_id)
        .where(
            a.respondent_id == s.respondent_id,
            a.unit_id == s.unit_id,
            a.component == s.component,
            a.level != _ABSTAIN,
        )
        .exists()
    )
    return (
        select(
            s.unit_id,
            s.component,
            literal(PEOPLE),
            s.category,
            literal(PEOPLE),
            func.count(),
        )
        .where(
            s.campaign_id == campaign_id,
            s.status == "submitted",
            s.voided.is_(False),
            valid,
        )
        .group_by(s.unit_id, s.component, s.category)
    )


# The announced questionnaires that count, their answers counted by the database down
# to the level, and their suggestions: one statement.  Each key's submission is read by
# scalar look-ups on the primary key: joined instead, SQLite (3.38+) builds a Bloom
# filter over every submission of the campaign first (about 40 ms at a million
# answers, against 8 ms for the whole statement).  Suggestion rows have no component;
# the people rows (item and level PEOPLE) come last, so that PostgreSQL has typed the
# suggestion columns from the suggestion rows before it meets their NULLs.
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
UNION ALL
SELECT a.unit_id, a.component, '', c.category, '', COUNT(DISTINCT c.rid), NULL, NULL, NULL
FROM counted c CROSS JOIN answers a
WHERE a.respondent_id = c.rid AND a.unit_id = c.uid AND a.component = c.comp
  AND a.level <> 'dont_know'
GROUP BY a.unit_id, a.component, c.category
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


class ScoringRepo:
    """The scorer's reads (counts, suggestions, small tables, stored results) and its write."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def tally_all(self, campaign_id: str) -> dict[TallyKey, int]:
        """Every count of a campaign (the full refresh)."""
        found: dict[TallyKey, int] = {}
        for select_ in (_tally_select(campaign_id), _people_select(campaign_id)):
            for u, c, i, cat, lv, n in await self.uow.session.execute(select_):
                found[(u, c, i, cat, lv)] = n
        return found

    async def tally_units(self, campaign_id: str, unit_ids: Iterable[int]) -> dict[TallyKey, int]:
        """Every count of some units, exactly (uses the answers' unit index)."""
        found: dict[TallyKey, int] = {}
        for chunk in _chunks(sorted(set(unit_ids))):
            answers = _tally_select(campaign_id).where(Answer.unit_id.in_(chunk))
            people = _people_select(campaign_id).where(Submission.unit_id.in_(chunk))
            for stmt in (answers, people):
                for u, c, i, cat, lv, n in await self.uow.session.execute(stmt):
                    found[(u, c, i, cat, lv)] = n
        return found

    async def tally_submissions(
        self, campaign_id: str, keys: Iterable[SubmissionKey]
    ) -> tuple[dict[TallyKey, int], dict[int, list[str]]]:
        """The counts of some questionnaires only (the incremental refresh), and their
        suggestions per unit, newest first as the full refresh orders them (these are the
        newest of all)."""
        found: dict[TallyKey, int] = {}
        newest: list[tuple[tuple[Any, ...], int, str]] = []
        conn = await self.uow.session.connection()
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

    async def latest_suggestions(
        self, campaign_id: str, unit_ids: Iterable[int] | None = None
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
        newest_rows = await self.uow.session.execute(
            select(sub.c.unit_id, sub.c.suggestion)
            .where(sub.c.n <= SUGGESTIONS_PER_UNIT)
            .order_by(sub.c.unit_id, sub.c.n)
        )
        found: dict[int, list[str]] = {}
        for unit_id, suggestion in newest_rows:
            found.setdefault(unit_id, []).append(suggestion)
        return found

    async def side_tables(self, campaign_id: str, now: dt.datetime) -> SideTables:
        """Marks, deductions, bonuses, complaints and findings of a campaign."""
        found = SideTables()
        session = self.uow.session
        m, f = Mark, Finding
        mark_rows = await session.execute(
            select(m.unit_id, m.component, m.score_x100)
            .where(m.campaign_id == campaign_id)
            .order_by(m.unit_id, m.component, m.label)
        )
        for unit_id, component, score in mark_rows:
            found.marks.setdefault((unit_id, component), []).append(score)
        finding_rows = await session.execute(
            select(f.unit_id, f.component, func.sum(f.points_x100), func.count())
            .where(f.campaign_id == campaign_id)
            .group_by(f.unit_id, f.component)
        )
        found.deductions = {(u, c): (int(total or 0), n) for u, c, total, n in finding_rows}
        for (unit_id, _), (_, n) in found.deductions.items():
            found.findings[unit_id] = found.findings.get(unit_id, 0) + n
        bonus_rows = await session.execute(
            select(Bonus.unit_id, func.sum(Bonus.points_x100))
            .where(Bonus.campaign_id == campaign_id)
            .group_by(Bonus.unit_id)
        )
        found.bonuses = {u: int(total or 0) for u, total in bonus_rows}
        found.complaints, found.overdue = await self._complaint_counts(campaign_id, now)
        return found

    async def _complaint_counts(
        self, campaign_id: str, now: dt.datetime
    ) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
        """Complaints per unit by conduct kind, and the overdue ones per unit."""
        c = Complaint
        by_kind: dict[int, dict[str, int]] = {}
        kind_rows = await self.uow.session.execute(
            select(c.unit_id, c.kind, func.count())
            .where(c.campaign_id == campaign_id, c.unit_id.is_not(None))
            .group_by(c.unit_id, c.kind)
        )
        for unit_id, kind, n in kind_rows:
            if unit_id is not None:
                by_kind.setdefault(unit_id, {})[kind] = n
        overdue_rows = await self.uow.session.execute(
            select(c.unit_id, func.count())
            .where(c.campaign_id == campaign_id, c.unit_id.is_not(None), overdue_clause(now))
            .group_by(c.unit_id)
        )
        return by_kind, {u: n for u, n in overdue_rows if u is not None}

    async def stored(self, campaign_id: str) -> StoredResults | None:
        """The last stored refresh of a campaign (None if it was never scored)."""
        r = ScoreRun
        run = (
            await self.uow.session.execute(
                select(r.computed_at, r.answers, r.full, r.millis, r.data).where(
                    r.campaign_id == campaign_id
                )
            )
        ).first()
        if run is None:
            return None
        texts = await self.uow.session.execute(
            select(ScoreResult.data).where(ScoreResult.campaign_id == campaign_id)
        )
        averages = dict((run.data or {}).get("kind_average", {}))
        return StoredResults(
            RunRow(campaign_id, run.computed_at, run.answers, run.full, run.millis, averages),
            list(texts.scalars()),
        )

    async def store(self, run: RunRow, rows: Sequence[ResultRow]) -> None:
        """Replace the stored run, and the rows of a full refresh's (or of `rows`') units."""
        campaign_id = run.campaign_id
        values = [
            {"campaign_id": campaign_id, "computed_at": run.computed_at, **vars(row)}
            for row in rows
        ]
        run_values = {
            "campaign_id": campaign_id,
            "computed_at": run.computed_at,
            "answers": run.answers,
            "full": run.full,
            "millis": run.millis,
            "data": {"kind_average": run.kind_average},
        }
        ids = [row.unit_id for row in rows]

        def write(conn: Connection) -> None:
            old = delete(ScoreResult).where(ScoreResult.campaign_id == campaign_id)
            conn.execute(old if run.full else old.where(ScoreResult.unit_id.in_(ids)))
            conn.execute(delete(ScoreRun).where(ScoreRun.campaign_id == campaign_id))
            if values:
                conn.execute(insert(ScoreResult), values)
            conn.execute(insert(ScoreRun), [run_values])

        await self.uow.run_exclusive(write)


def overdue_clause(now: dt.datetime) -> Any:
    """Open complaints past their due time (or already escalated as overdue)."""
    c = Complaint
    return and_(c.status != "closed", or_(c.overdue.is_(True), c.due_at < now))


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    """`values` in lists of at most _CHUNK."""
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])
