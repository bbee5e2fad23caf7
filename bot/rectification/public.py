"""What the public site shows of a unit's rectification: its approved (or completed)
plan, measure by measure, the answer to the suggestions, and the satisfaction with it
beside the appraisal's.  Plain values for a Jinja2 template (bot/publish/templates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.i18n import format_date
from bot.rectification.rules import Measure, Plan, is_overdue, progress
from bot.rectification.service import RectificationService
from bot.scoring.format import format_pct
from bot.scoring.results import Figure
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Rectified:
    """A unit's rectification as published, on `today` (its campaign's date)."""

    plan: Plan | None
    figure: Figure | None
    today: dt.date

    def _row(self, plan: Plan, m: Measure, locale: str) -> dict[str, str]:
        """One measure: its texts, deadline, state (done | late | open) and completion."""
        late = is_overdue(m, plan.status, self.today)
        return {
            "problem": m.problem,
            "measure": m.measure,
            "deadline": format_date(locale, m.deadline.day) if m.deadline else "—",
            "state": "done" if m.done_on else "late" if late else "open",
            "done": format_date(locale, m.done_on) if m.done_on else "",
            "note": m.note or "",
        }

    def view(self, locale: str) -> dict[str, Any]:
        """Values for the unit page: rows (problem, measure, deadline, state, date),
        verdict, reason, the counts and the satisfaction."""
        plan = self.plan
        rows = [] if plan is None else [self._row(plan, m, locale) for m in plan.measures]
        done = progress(plan, self.today) if plan else None
        figure = self.figure
        return {
            "status": plan.status.value if plan else None,
            "rows": rows,
            "verdict": plan.verdict.value if plan and plan.verdict else None,
            "reason": plan.reason if plan else None,
            "done": done.done if done else 0,
            "total": done.total if done else 0,
            "satisfaction": format_pct(figure.satisfaction) if figure else None,
            "people": figure.people if figure else 0,
        }


async def rectified(
    engine: RectificationService, uow: UnitOfWork, campaign_id: str
) -> dict[int, Rectified]:
    """Per unit id, what is published of its rectification."""
    today = engine.today(campaign_id)
    found = await engine.published(uow, campaign_id)
    return {uid: Rectified(plan, figure, today) for uid, (plan, figure) in found.items()}
