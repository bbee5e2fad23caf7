"""Rectification's texts (整改反馈): the plan, the evaluators' lists, the notices to the
people concerned, and the lines /results and /score add for a unit."""

from __future__ import annotations

import datetime as dt

from bot.campaign.schema import Campaign, LocaleText
from bot.i18n import echo, format_date, t
from bot.rectification.rules import Measure, Plan, PlanStatus, progress
from bot.rectification.service import Told
from bot.scoring.format import format_interval, format_pct
from bot.scoring.results import Figure
from bot.telegram.common import keyboards_rectify
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.render_evaluator import split_message
from storage.outbox import Single
from storage.rectification import LateMeasure, MeasureRow

ECHO = 300  # characters of a typed problem, measure or note shown back


def unit_names(campaign: Campaign, ids: dict[str, int], locale: str) -> dict[int, str]:
    """Unit id → name in `locale`."""
    return {ids[u.id]: u.name.get(locale) for u in campaign.units if u.id in ids}


def _measure(n: int, m: Measure, status: PlanStatus, today: dt.date, locale: str) -> str:
    """One line of the plan."""
    missing = t(locale, "rectify.plan.missing")
    deadline = missing
    if m.deadline is not None:
        day = format_date(locale, m.deadline.day)
        deadline = day
        if m.deadline.working_days:
            deadline = t(locale, "rectify.plan.workdays", date=day, days=m.deadline.working_days)
    state = ""
    if m.done_on is not None:
        state = t(
            locale,
            "rectify.plan.done",
            date=format_date(locale, m.done_on),
            note=echo(m.note or "", ECHO),
        )
    elif status is PlanStatus.APPROVED and m.deadline is not None and m.deadline.day < today:
        state = t(locale, "rectify.plan.late")
    return t(
        locale,
        "rectify.plan.measure",
        number=n,
        problem=echo(m.problem, ECHO),
        measure=echo(m.measure, ECHO) if m.measure else missing,
        deadline=deadline,
        state=state,
    )


def plan(
    item: Plan, unit: str, campaign: str, today: dt.date, locale: str, *, reviewer: bool = False
) -> tuple[list[str], Keyboard | None]:
    """The whole plan — in as many messages as it takes (30 long measures do not fit one;
    the buttons go under the last) — with the help that fits its status and reader."""
    lines = [
        t(
            locale,
            "rectify.plan.title",
            id=item.id,
            unit=unit,
            campaign=campaign,
            status=t(locale, f"rectify.status.{item.status.value}"),
        )
    ]
    lines += [_measure(n, m, item.status, today, locale) for n, m in enumerate(item.measures, 1)]
    if not item.measures:
        lines.append(t(locale, "rectify.plan.empty"))
    if item.verdict is not None:
        verdict = t(locale, f"rectify.verdict.{item.verdict.value}")
        lines.append(
            t(locale, "rectify.plan.verdict", verdict=verdict, reason=echo(item.reason or "", ECHO))
        )
    elif item.suggestions:
        lines.append(t(locale, "rectify.plan.unanswered", count=item.suggestions))
    if item.remark:
        lines.append(t(locale, "rectify.plan.remark", remark=echo(item.remark, ECHO)))
    if reviewer:
        lines.append(t(locale, "rectify.plan.help_review", id=item.id))
    elif item.status in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        lines.append(t(locale, "rectify.plan.help_edit"))
    elif item.status is PlanStatus.APPROVED:
        lines.append(t(locale, "rectify.plan.help_done"))
    chunks = split_message([line + "\n" for line in lines])
    return [c.rstrip("\n") for c in chunks], keyboards_rectify.plan(item, locale, reviewer=reviewer)


def pending(plans: list[tuple[Plan, str, str]], locale: str) -> str:
    """Submitted plans awaiting a decision: (plan, unit, campaign) each."""
    if not plans:
        return t(locale, "rectify.pending.none")
    lines = [t(locale, "rectify.pending.title")]
    lines += [
        t(locale, "rectify.pending.line", id=p.id, unit=u, campaign=c, count=len(p.measures))
        for p, u, c in plans
    ]
    return "\n".join(lines)


def overdue(late: list[LateMeasure], names: dict[int, str], locale: str) -> str:
    """Measures past their deadline, oldest deadline first."""
    if not late:
        return t(locale, "rectify.overdue.none")
    lines = [t(locale, "rectify.overdue.title")]
    lines += [
        t(
            locale,
            "rectify.overdue.line",
            unit=names.get(m.unit_id, str(m.unit_id)),
            plan=m.plan_id,
            number=m.number,
            deadline=format_date(locale, m.deadline),
            measure=echo(m.measure, ECHO),
        )
        for m in late
    ]
    return "\n".join(lines)


def notices(told: Told, campaign: Campaign, unit_name: LocaleText) -> list[Single]:
    """What each person concerned is sent (in their language): the plan approved, or
    completed with the five levels to give their one verdict."""
    plan_ = told.plan
    deadlines = [m.deadline.day for m in plan_.measures if m.deadline is not None]
    messages = []
    for chat_id, locale in told.recipients:
        values: dict[str, object] = {
            "unit": unit_name.get(locale),
            "campaign": campaign.name.get(locale),
            "count": len(plan_.measures),
        }
        markup = None
        if told.event == "approved":
            values["last"] = format_date(locale, max(deadlines)) if deadlines else "—"
        else:
            keyboard = keyboards_rectify.verdict(plan_.id, locale)
            markup = keyboard.to_json()
        text = t(locale, f"rectify.notice.{told.event}", **values)
        messages.append(Single(chat_id, locale, text, markup))
    return messages


def results_line(
    item: Plan | None, figure: Figure | None, today: dt.date, locale: str
) -> str | None:
    """A unit's rectification under its /results line (None: nothing published)."""
    parts = []
    if item is not None:
        done = progress(item, today)
        late = t(locale, "rectify.results.late", count=done.overdue) if done.overdue else ""
        status = t(locale, f"rectify.status.{item.status.value}")
        parts.append(
            t(
                locale,
                "rectify.results.line",
                status=status,
                done=done.done,
                total=done.total,
                late=late,
            )
        )
    if figure is not None and figure.satisfaction is not None:
        parts.append(
            t(
                locale,
                "rectify.results.satisfaction",
                satisfaction=format_pct(figure.satisfaction),
                people=figure.people,
            )
        )
    return " · ".join(parts) or None


def score_lines(
    item: Plan | None, figure: Figure | None, appraisal: Figure, today: dt.date, locale: str
) -> list[str]:
    """The rectification lines of /score: the plan's progress, its satisfaction beside the
    appraisal's."""
    if item is None:
        lines = [t(locale, "rectify.score.none")]
    else:
        done = progress(item, today)
        status = t(locale, f"rectify.status.{item.status.value}")
        lines = [
            t(
                locale,
                "rectify.score.plan",
                id=item.id,
                status=status,
                done=done.done,
                total=done.total,
                late=done.overdue,
            )
        ]
    if figure is not None:
        lines.append(
            t(
                locale,
                "rectify.score.satisfaction",
                satisfaction=format_pct(figure.satisfaction),
                interval=format_interval(figure.low, figure.high),
                people=figure.people,
                appraisal=format_pct(appraisal.satisfaction),
            )
        )
    return lines


def results_lines(
    found: dict[int, tuple[Plan | None, Figure | None]], today: dt.date, locale: str
) -> dict[int, str]:
    """Per unit id, its rectification line under /results (published plan, satisfaction)."""
    lines = {
        uid: results_line(plan_, figure, today, locale) for uid, (plan_, figure) in found.items()
    }
    return {uid: line for uid, line in lines.items() if line}


def carried_lines(measures: list[MeasureRow], locale: str) -> list[str]:
    """回头看 in /score: last round's measures for the unit never reported done."""
    if not measures:
        return []
    lines = [t(locale, "rectify.score.carried", count=len(measures))]
    for m in measures:
        deadline = m.deadline.isoformat() if m.deadline else "—"
        what = echo(m.measure or m.problem, 200)
        lines.append(t(locale, "rectify.score.carried_line", measure=what, deadline=deadline))
    return lines
