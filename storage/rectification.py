"""Rectification (整改反馈) queries: plans and their measures, followers, the public's
verdicts, and the reads other features call:

- `measures_due_and_late_per_unit` — a bulletin's (通报) counts per unit;
- `unfinished_measures` — 回头看: last round's measures not done, for a new round.

Followers and the public's verdicts are in storage/followers.py.

Every write runs through the writer's exclusive transaction and checks the plan's
status in the same statement, so two handlers (or an evaluator and a handler) acting
at once cannot both move a plan; decisions write their audit row in that transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from storage.access import write_audit
from storage.models import (
    RectificationMeasure,
    RectificationPlan,
)
from storage.uow import UnitOfWork

_P, _M = RectificationPlan, RectificationMeasure
EDITABLE = ("draft", "returned")


@dataclass(frozen=True)
class MeasureRow:
    """One measure as stored (position from 0)."""

    position: int
    problem: str
    measure: str = ""
    deadline: dt.date | None = None
    working_days: int | None = None
    done_on: dt.date | None = None
    note: str | None = None
    evidence_kind: str | None = None
    evidence_file_id: str | None = None


@dataclass(frozen=True)
class PlanRow:
    """A plan as stored, with its measures in order."""

    id: int
    campaign_id: str
    unit_id: int
    status: str
    suggestions: int
    verdict: str | None
    reason: str | None
    remark: str | None
    measures: tuple[MeasureRow, ...] = field(default=())


@dataclass(frozen=True)
class DueAndLate:
    """A unit's measures of approved (or completed) plans: all, done, not done and past
    their deadline (late), not done and due within the next days asked for (due)."""

    total: int = 0
    done: int = 0
    late: int = 0
    due: int = 0


@dataclass(frozen=True)
class LateMeasure:
    """A measure past its deadline (for /overdue and bulletins)."""

    plan_id: int
    unit_id: int
    number: int  # 1-based, as shown
    measure: str
    deadline: dt.date


_PLAN_COLUMNS = (_P.id, _P.campaign_id, _P.unit_id, _P.status, _P.suggestions, _P.verdict)
_MEASURE_COLUMNS = (
    _M.position,
    _M.problem,
    _M.measure,
    _M.deadline,
    _M.working_days,
    _M.done_on,
    _M.note,
    _M.evidence_kind,
    _M.evidence_file_id,
)


class RectificationRepo:
    """Plans, measures, followers and ratings."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    # -- reading plans ---------------------------------------------------------------------

    async def _plans(self, *where: ColumnElement[bool]) -> list[PlanRow]:
        """Plans matching `where`, with their measures, by id."""
        session = self.uow.session
        plans = list((await session.execute(select(_P).where(*where).order_by(_P.id))).scalars())
        if not plans:
            return []
        found = await session.execute(
            select(_M.plan_id, *_MEASURE_COLUMNS)
            .where(_M.plan_id.in_([p.id for p in plans]))
            .order_by(_M.plan_id, _M.position)
        )
        measures: dict[int, list[MeasureRow]] = {}
        for plan_id, *values in found:
            measures.setdefault(int(plan_id), []).append(MeasureRow(*values))
        return [
            PlanRow(
                p.id,
                p.campaign_id,
                p.unit_id,
                p.status,
                p.suggestions,
                p.verdict,
                p.reason,
                p.remark,
                tuple(measures.get(p.id, ())),
            )
            for p in plans
        ]

    async def get(self, plan_id: int) -> PlanRow | None:
        """One plan by id."""
        found = await self._plans(_P.id == plan_id)
        return found[0] if found else None

    async def of_unit(self, campaign_id: str, unit_id: int) -> PlanRow | None:
        """The unit's plan in the campaign, if any."""
        found = await self._plans(_P.campaign_id == campaign_id, _P.unit_id == unit_id)
        return found[0] if found else None

    async def with_status(
        self, statuses: Sequence[str], campaign_id: str | None = None
    ) -> list[PlanRow]:
        """Plans in one of `statuses` (of one campaign, or all), oldest first."""
        where: list[ColumnElement[bool]] = [_P.status.in_(list(statuses))]
        if campaign_id is not None:
            where.append(_P.campaign_id == campaign_id)
        return await self._plans(*where)

    # -- writing plans ---------------------------------------------------------------------

    async def create(
        self,
        campaign_id: str,
        unit_id: int,
        problems: Sequence[str],
        suggestions: int,
        actor: int,
        now: dt.datetime,
    ) -> int:
        """A draft with `problems` (measures to fill in); the existing plan's id if any."""

        def write(conn: Connection) -> int:
            known = conn.execute(
                select(_P.id).where(_P.campaign_id == campaign_id, _P.unit_id == unit_id)
            ).scalar_one_or_none()
            if known is not None:
                return int(known)
            plan_id = int(
                conn.execute(
                    insert(_P)
                    .values(
                        campaign_id=campaign_id,
                        unit_id=unit_id,
                        status="draft",
                        suggestions=suggestions,
                        created_by=actor,
                        created_at=now,
                    )
                    .returning(_P.id)
                ).scalar_one()
            )
            _insert_measures(conn, plan_id, [MeasureRow(n, p) for n, p in enumerate(problems)])
            return plan_id

        return await self.uow.run_exclusive(write)

    async def save_draft(
        self,
        plan_id: int,
        measures: Sequence[MeasureRow],
        verdict: str | None,
        reason: str | None,
    ) -> bool:
        """Replace an editable plan's measures and answer; False if it is not editable."""

        def write(conn: Connection) -> bool:
            done = conn.execute(
                update(_P)
                .where(_P.id == plan_id, _P.status.in_(EDITABLE))
                .values(verdict=verdict, reason=reason)
            )
            if not done.rowcount:
                return False
            conn.execute(delete(_M).where(_M.plan_id == plan_id))
            _insert_measures(conn, plan_id, measures)
            return True

        return await self.uow.run_exclusive(write)

    async def move(
        self,
        plan_id: int,
        from_status: Sequence[str],
        to_status: str,
        actor: int,
        now: dt.datetime,
        remark: str | None = None,
    ) -> bool:
        """Move the plan from one of `from_status` to `to_status`; False if it was not in
        one.  Approving and returning are evaluators' decisions: audited with the remark."""

        def write(conn: Connection) -> bool:
            values: dict[str, object] = {"status": to_status}
            if to_status == "submitted":
                values.update(submitted_at=now)
            else:
                values.update(decided_by=actor, decided_at=now, remark=remark)
            done = conn.execute(
                update(_P)
                .where(_P.id == plan_id, _P.status.in_(list(from_status)))
                .values(**values)
            )
            if not done.rowcount:
                return False
            if to_status in ("approved", "returned"):
                unit = conn.execute(select(_P.unit_id).where(_P.id == plan_id)).scalar_one()
                details: dict[str, object] = {"plan": plan_id, "status": to_status}
                write_audit(
                    conn,
                    now,
                    actor,
                    f"rectification_{to_status}",
                    f"unit {unit}",
                    remark or "",
                    details,
                )
            return True

        return await self.uow.run_exclusive(write)

    async def mark_done(
        self,
        plan_id: int,
        position: int,
        note: str,
        evidence: tuple[str, str] | None,
        actor: int,
        today: dt.date,
        now: dt.datetime,
    ) -> str | None:
        """Report a measure of an approved plan done: None if refused (no such measure,
        already done, or the plan not approved); "completed" when it was the last one,
        else "done".  Completion is decided in the same transaction: once."""

        def write(conn: Connection) -> str | None:
            approved = exists().where(_P.id == plan_id, _P.status == "approved")
            done = conn.execute(
                update(_M)
                .where(
                    _M.plan_id == plan_id,
                    _M.position == position,
                    _M.done_on.is_(None),
                    approved,
                )
                .values(
                    done_on=today,
                    done_by=actor,
                    note=note,
                    evidence_kind=evidence[0] if evidence else None,
                    evidence_file_id=evidence[1] if evidence else None,
                )
            )
            if not done.rowcount:
                return None
            left = conn.execute(
                select(func.count()).where(_M.plan_id == plan_id, _M.done_on.is_(None))
            ).scalar_one()
            if left:
                return "done"
            conn.execute(
                update(_P)
                .where(_P.id == plan_id, _P.status == "approved")
                .values(status="completed", completed_at=now)
            )
            return "completed"

        return await self.uow.run_exclusive(write)

    # -- reads for other features --------------------------------------------------------

    async def measures_due_and_late_per_unit(
        self, campaign_id: str, today: dt.date, within_days: int = 7
    ) -> dict[int, DueAndLate]:
        """Per unit id, the measures of its approved or completed plan: how many, done,
        late (not done, deadline before `today`) and due (not done, deadline from `today`
        to `within_days` later) — what a bulletin (通报) reports."""
        horizon = today + dt.timedelta(days=within_days)
        rows = await self.uow.session.execute(
            select(_P.unit_id, _M.deadline, _M.done_on)
            .join(_M, _M.plan_id == _P.id)
            .where(_P.campaign_id == campaign_id, _P.status.in_(("approved", "completed")))
        )
        counts: dict[int, list[int]] = {}
        for unit_id, deadline, done_on in rows:
            c = counts.setdefault(int(unit_id), [0, 0, 0, 0])
            c[0] += 1
            if done_on is not None:
                c[1] += 1
            elif deadline is not None and deadline < today:
                c[2] += 1
            elif deadline is not None and deadline <= horizon:
                c[3] += 1
        return {uid: DueAndLate(*c) for uid, c in counts.items()}

    async def late_measures(self, campaign_id: str, today: dt.date) -> list[LateMeasure]:
        """Measures of approved plans past their deadline and not done (/overdue)."""
        rows = await self.uow.session.execute(
            select(_P.id, _P.unit_id, _M.position, _M.measure, _M.deadline)
            .join(_M, _M.plan_id == _P.id)
            .where(
                _P.campaign_id == campaign_id,
                _P.status == "approved",
                _M.done_on.is_(None),
                _M.deadline < today,
            )
            .order_by(_M.deadline, _P.unit_id, _M.position)
        )
        return [LateMeasure(int(p), int(u), int(n) + 1, m, d) for p, u, n, m, d in rows if d]

    async def unfinished_measures(self, campaign_id: str, unit_id: int) -> list[MeasureRow]:
        """回头看: the unit's measures of campaign `campaign_id` that were never reported
        done (of a plan submitted or beyond; a draft promised nothing), in order."""
        rows = await self.uow.session.execute(
            select(*_MEASURE_COLUMNS)
            .join(_P, _M.plan_id == _P.id)
            .where(
                _P.campaign_id == campaign_id,
                _P.unit_id == unit_id,
                _P.status.not_in(EDITABLE),
                _M.done_on.is_(None),
            )
            .order_by(_M.position)
        )
        return [MeasureRow(*row) for row in rows]


def _insert_measures(conn: Connection, plan_id: int, measures: Sequence[MeasureRow]) -> None:
    """Insert `measures` of a plan, numbered in order."""
    if measures:
        conn.execute(
            insert(_M),
            [dict(m.__dict__, plan_id=plan_id, position=n) for n, m in enumerate(measures)],
        )
