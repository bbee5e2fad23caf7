"""Satisfaction (满意度) per unit and item of one survey component, as the scorer counts it.

满意度 = Σ level scores of non-abstaining answers ÷ their count × 100 (002, 四):
很满意 1.0, 比较满意 0.8, 基本满意 0.6, 不满意 0; 不了解 is counted but stays out
of every denominator.  Only submitted, non-voided questionnaires count.  The
figures are the scorer's own (bot/scoring/counts.py), from the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.scoring.counts import ScoringData
from bot.scoring.results import Figure
from storage.scoring import ScoringRepo
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class UnitSatisfaction:
    """One unit's satisfaction in one component, per item and overall."""

    unit_id: int
    items: dict[str, Figure]
    overall: Figure
    people: int  # respondents with at least one valid answer (the sample)


async def satisfaction_by_unit(
    uow: UnitOfWork, campaign_id: str, component: str
) -> dict[int, UnitSatisfaction]:
    """Per-unit, per-item figures of a survey component (units with answers only)."""
    data = ScoringData()
    data.set_counts(await ScoringRepo(uow).tally_all(campaign_id))
    found: dict[int, UnitSatisfaction] = {}
    for unit_id, counts in data.units.items():
        answered = counts.components.get(component)
        if answered is not None:
            items = {item: answered.item_figure(item) for item in answered.items}
            overall = answered.overall_figure()
            found[unit_id] = UnitSatisfaction(unit_id, items, overall, answered.sample())
    return found
