"""Satisfaction (满意度) per unit and item, aggregated by the database.

满意度 = Σ level scores of non-abstaining answers ÷ their count × 100 (002, 四):
很满意 1.0, 比较满意 0.8, 基本满意 0.6, 不满意 0; 不了解 is counted but stays out
of every denominator.  Only submitted, non-voided questionnaires count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from bot.campaign.schema import LEVEL_SCORES, Level
from storage.models import Answer, Submission
from storage.uow import UnitOfWork


@dataclass
class Tally:
    """Answer counts by level, and the satisfaction they give."""

    counts: dict[Level, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, level: Level, count: int) -> None:
        """Count `count` more answers at `level`."""
        self.counts[level] += count

    @property
    def valid(self) -> int:
        """Answers that count in the denominator (all but 不了解)."""
        return sum(n for level, n in self.counts.items() if LEVEL_SCORES[level] is not None)

    @property
    def abstained(self) -> int:
        """不了解 answers: counted and shown, never in a denominator."""
        return self.counts.get(Level.DONT_KNOW, 0)

    @property
    def satisfaction(self) -> Decimal | None:
        """Σ scores ÷ valid answers × 100, or None with no valid answer."""
        if not self.valid:
            return None
        total = sum(
            ((LEVEL_SCORES[level] or Decimal(0)) * n for level, n in self.counts.items()),
            Decimal(0),
        )
        return total / self.valid * 100


@dataclass
class UnitSatisfaction:
    """One unit's satisfaction, per item and overall."""

    unit_id: int
    items: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    questionnaires: int = 0


async def satisfaction_by_unit(
    uow: UnitOfWork, campaign_id: str, component: str
) -> dict[int, UnitSatisfaction]:
    """Per-unit, per-item tallies of a survey component, counted by one GROUP BY."""
    a, s = Answer, Submission
    counted = (
        select(a.unit_id, a.item, a.level, func.count())
        .join(
            s,
            (s.respondent_id == a.respondent_id)
            & (s.unit_id == a.unit_id)
            & (s.component == a.component),
        )
        .where(
            s.campaign_id == campaign_id,
            s.component == component,
            s.status == "submitted",
            s.voided.is_(False),
        )
        .group_by(a.unit_id, a.item, a.level)
    )
    result: dict[int, UnitSatisfaction] = {}
    for unit_id, item, level, count in await uow.session.execute(counted):
        unit = result.setdefault(unit_id, UnitSatisfaction(unit_id))
        unit.items[item].add(Level(level), count)
        unit.overall.add(Level(level), count)
    submitted = (
        select(s.unit_id, func.count())
        .where(
            s.campaign_id == campaign_id,
            s.component == component,
            s.status == "submitted",
            s.voided.is_(False),
        )
        .group_by(s.unit_id)
    )
    for unit_id, count in await uow.session.execute(submitted):
        result.setdefault(unit_id, UnitSatisfaction(unit_id)).questionnaires = count
    return result
