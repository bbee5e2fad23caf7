"""Rectification's buttons (整改反馈): a plan's Submit or Approve, the five levels of the
one verdict on a completed plan.  "Follow this unit" is on the survey's thanks
(keyboards.rate_another)."""

from __future__ import annotations

from bot.i18n import t
from bot.rectification.rules import Plan, PlanStatus
from bot.rectification.service import LEVELS
from bot.telegram.common.callbacks import PlanAction, RateRectification
from bot.telegram.common.markup import Button, Keyboard


def plan(item: Plan, locale: str, *, reviewer: bool = False) -> Keyboard | None:
    """Submit under an editable plan shown to its handler; Approve under a submitted plan
    shown to an evaluator; nothing otherwise."""
    if reviewer and item.status is PlanStatus.SUBMITTED:
        label, action = "rectify.btn.approve", "approve"
    elif not reviewer and item.status in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        label, action = "rectify.btn.submit", "submit"
    else:
        return None
    data = PlanAction(plan=item.id, action=action).pack()
    return Keyboard(inline_keyboard=[[Button(text=t(locale, label), callback_data=data)]])


def verdict(plan_id: int, locale: str) -> Keyboard:
    """The five levels (不了解 last), one a row."""
    rows = [
        [
            Button(
                text=t(locale, f"level.{level.value}"),
                callback_data=RateRectification(plan=plan_id, level=n).pack(),
            )
        ]
        for n, level in enumerate(LEVELS)
    ]
    return Keyboard(inline_keyboard=rows)
