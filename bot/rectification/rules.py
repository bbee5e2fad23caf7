"""The rules of a rectification plan (整改反馈), pure: no I/O, no Telegram, no SQL.

A unit's handlers draft a plan — for each problem raised, a measure and a deadline —
and answer the public's suggestions collectively (建议采纳情况: adopted, partly, not
adopted, with a reason).  The plan moves

    draft ──submit──► submitted ──approve──► approved ──(last measure done)──► completed
      ▲                   │
      │                   └──return (remark)──► returned ──submit──► submitted
      └── editable: draft and returned only

A deadline is a date, or a number of working days counted from the day it is
entered (bot/workdays).  A measure of an approved plan that is not done after its
deadline is overdue.  Sources: docs/domain.md, "Rectification".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core.text import visible_text
from bot.workdays.calendar import WorkdayCalendar

MAX_TEXT = 500  # characters of a problem, a measure, a note, a reason or a remark
MAX_MEASURES = 30  # per plan (a plan shown in chat must fit a message)
MAX_WORKING_DAYS = 250  # about a year


class PlanStatus(StrEnum):
    """Where a plan stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    COMPLETED = "completed"


class Verdict(StrEnum):
    """The unit's collective answer to the public's suggestions (建议采纳情况)."""

    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"


EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
PUBLIC = frozenset({PlanStatus.APPROVED, PlanStatus.COMPLETED})  # published and followed
# (action, from) → to; anything else is refused.
TRANSITIONS: dict[tuple[str, PlanStatus], PlanStatus] = {
    ("submit", PlanStatus.DRAFT): PlanStatus.SUBMITTED,
    ("submit", PlanStatus.RETURNED): PlanStatus.SUBMITTED,
    ("approve", PlanStatus.SUBMITTED): PlanStatus.APPROVED,
    ("return", PlanStatus.SUBMITTED): PlanStatus.RETURNED,
    ("complete", PlanStatus.APPROVED): PlanStatus.COMPLETED,
}
VERDICT_WORDS: dict[str, Verdict] = {
    "adopted": Verdict.ADOPTED,
    "采纳": Verdict.ADOPTED,
    "採納": Verdict.ADOPTED,
    "partly": Verdict.PARTLY,
    "部分采纳": Verdict.PARTLY,
    "部分採納": Verdict.PARTLY,
    "not": Verdict.NOT_ADOPTED,
    "not_adopted": Verdict.NOT_ADOPTED,
    "未采纳": Verdict.NOT_ADOPTED,
    "未採納": Verdict.NOT_ADOPTED,
}
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DAYS = re.compile(r"^(\d{1,3})\s*(?:wd|d|个工作日|個工作日|工作日)?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"[|｜]")


class RectifyError(Exception):
    """Refused input or action: `key` (under `rectify.error.`) and its values."""

    def __init__(self, key: str, **values: object) -> None:
        """Refused for `key`."""
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Deadline:
    """When a measure is due: the day, and the working days it was given as (if so)."""

    day: dt.date
    working_days: int | None = None


@dataclass(frozen=True)
class Measure:
    """One problem, the measure against it, its deadline and whether it is done."""

    problem: str
    measure: str = ""
    deadline: Deadline | None = None
    done_on: dt.date | None = None
    note: str | None = None
    evidence: tuple[str, str] | None = None  # (photo|document, file id)

    @property
    def ready(self) -> bool:
        """A measure and a deadline are given."""
        return bool(self.measure) and self.deadline is not None


@dataclass(frozen=True)
class Plan:
    """A unit's rectification plan in one campaign."""

    id: int
    campaign_id: str
    unit_id: int
    status: PlanStatus
    measures: tuple[Measure, ...]
    suggestions: int = 0  # the public's suggestions about the unit when the plan was drafted
    verdict: Verdict | None = None
    reason: str | None = None
    remark: str | None = None  # the evaluator's, when returned (or approved with one)


def clean(text: str | None, key: str) -> str:
    """Typed text made visible and cut to MAX_TEXT; RectifyError(`key`) when blank."""
    found = visible_text(text or "")
    if found is None:
        raise RectifyError(key)
    return found[:MAX_TEXT]


def next_status(status: PlanStatus, action: str) -> PlanStatus:
    """The status after `action`, or RectifyError("transition") where it is not allowed."""
    found = TRANSITIONS.get((action, status))
    if found is None:
        raise RectifyError("transition", status=status.value, action=action)
    return found


def parse_deadline(text: str, today: dt.date, calendar: WorkdayCalendar) -> Deadline:
    """`2026-03-31` (a date after today) or `15` / `15wd` / `15个工作日` working days from today."""
    text = text.strip()
    days = _DAYS.match(text)
    if days:
        n = int(days.group(1))
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise RectifyError("deadline", text=text)
        return Deadline(calendar.add_workdays(today, n).day, n)
    if _DATE.match(text):
        try:
            day = dt.date(*(int(p) for p in text.split("-")))
        except ValueError:
            raise RectifyError("deadline", text=text) from None
        if day <= today:
            raise RectifyError("deadline_past", text=text)
        return Deadline(day)
    raise RectifyError("deadline", text=text)


def parse_measure(
    text: str, today: dt.date, calendar: WorkdayCalendar, old: Measure | None = None
) -> Measure:
    """`PROBLEM | MEASURE | DEADLINE` (full-width ｜ too); with `old`, a blank part keeps it."""
    parts = [p.strip() for p in _SEPARATOR.split(text)]
    if len(parts) != 3:
        raise RectifyError("measure_format")
    problem, measure, deadline = parts
    if old is not None:
        return replace(
            old,
            problem=clean(problem, "problem") if problem else old.problem,
            measure=clean(measure, "measure") if measure else old.measure,
            deadline=parse_deadline(deadline, today, calendar) if deadline else old.deadline,
        )
    return Measure(
        clean(problem, "problem"),
        clean(measure, "measure"),
        parse_deadline(deadline, today, calendar),
    )


def parse_verdict(words: list[str]) -> tuple[Verdict, str]:
    """`adopted|partly|not REASON` (or 采纳 / 部分采纳 / 未采纳): the answer to suggestions."""
    verdict = VERDICT_WORDS.get(words[0].lower()) if words else None
    if verdict is None:
        raise RectifyError("verdict")
    return verdict, clean(" ".join(words[1:]), "reason")


def check_editable(plan: Plan) -> None:
    """Only a draft or a returned plan changes."""
    if plan.status not in EDITABLE:
        raise RectifyError("not_editable", status=plan.status.value)


def measure_index(plan: Plan, text: str) -> int:
    """The 0-based index of measure number `text` (1-based as shown)."""
    if not text.isdigit() or not 1 <= int(text) <= len(plan.measures):
        raise RectifyError("measure_number", number=text[:10], count=len(plan.measures))
    return int(text) - 1


def submit_problems(plan: Plan) -> list[str]:
    """Why the plan cannot be submitted (empty: it can): keys under `rectify.error.`."""
    problems = []
    if not plan.measures:
        problems.append("no_measures")
    if any(not m.ready for m in plan.measures):
        problems.append("incomplete")
    if plan.suggestions and plan.verdict is None:
        problems.append("unanswered")
    return problems


def with_measures(plan: Plan, measures: Iterable[Measure]) -> Plan:
    """The plan with `measures` (at most MAX_MEASURES)."""
    found = tuple(measures)
    if len(found) > MAX_MEASURES:
        raise RectifyError("too_many", limit=MAX_MEASURES)
    return replace(plan, measures=found)


def is_overdue(measure: Measure, status: PlanStatus, today: dt.date) -> bool:
    """A measure of an approved plan, not done, whose deadline has passed."""
    return (
        status is PlanStatus.APPROVED
        and measure.done_on is None
        and measure.deadline is not None
        and measure.deadline.day < today
    )


def is_completed(measures: Iterable[Measure]) -> bool:
    """Every measure is done (a plan with none is not complete)."""
    found = list(measures)
    return bool(found) and all(m.done_on is not None for m in found)


@dataclass(frozen=True)
class Progress:
    """A plan's measures counted: done, overdue, still within their deadline."""

    total: int
    done: int
    overdue: int

    @property
    def open(self) -> int:
        """Measures neither done nor overdue."""
        return self.total - self.done - self.overdue


def progress(plan: Plan, today: dt.date) -> Progress:
    """How far the plan has come on `today`."""
    ms = plan.measures
    done = sum(1 for m in ms if m.done_on is not None)
    late = sum(1 for m in ms if is_overdue(m, plan.status, today))
    return Progress(len(ms), done, late)
