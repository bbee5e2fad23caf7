"""Between storage's rows and the rules' plan (storage knows no engine type)."""

from __future__ import annotations

from bot.rectification.rules import Deadline, Measure, Plan, PlanStatus, Verdict
from storage.rectification import MeasureRow, PlanRow


def measure_of(row: MeasureRow) -> Measure:
    """A stored measure as the rules see it."""
    evidence = None
    if row.evidence_kind and row.evidence_file_id:
        evidence = (row.evidence_kind, row.evidence_file_id)
    deadline = None if row.deadline is None else Deadline(row.deadline, row.working_days)
    return Measure(row.problem, row.measure, deadline, row.done_on, row.note, evidence)


def plan_of(row: PlanRow) -> Plan:
    """A stored plan as the rules see it."""
    return Plan(
        id=row.id,
        campaign_id=row.campaign_id,
        unit_id=row.unit_id,
        status=PlanStatus(row.status),
        measures=tuple(measure_of(m) for m in row.measures),
        suggestions=row.suggestions,
        verdict=None if row.verdict is None else Verdict(row.verdict),
        reason=row.reason,
        remark=row.remark,
    )


def rows_of(plan: Plan) -> tuple[list[MeasureRow], str | None, str | None]:
    """A plan's measures as rows, and its answer to the suggestions."""
    rows = [
        MeasureRow(
            position=n,
            problem=m.problem,
            measure=m.measure,
            deadline=None if m.deadline is None else m.deadline.day,
            working_days=None if m.deadline is None else m.deadline.working_days,
            done_on=m.done_on,
            note=m.note,
            evidence_kind=m.evidence[0] if m.evidence else None,
            evidence_file_id=m.evidence[1] if m.evidence else None,
        )
        for n, m in enumerate(plan.measures)
    ]
    return rows, None if plan.verdict is None else plan.verdict.value, plan.reason
