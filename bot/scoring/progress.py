"""Progress of a campaign and overdue complaints, for evaluators.

The counting is done by the database (storage/progress.py); here the campaign's
rules are checked against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.campaign.schema import Campaign, Composition
from storage.progress import OverdueComplaint, Progress, ProgressRepo
from storage.uow import UnitOfWork

__all__ = [
    "CompositionCheck",
    "OverdueComplaint",
    "Progress",
    "composition_checks",
    "overdue",
    "progress",
]


@dataclass(frozen=True)
class CompositionCheck:
    """A panel composition rule (e.g. 群众代表 + 企业代表 ≥ 50 %) against who took part."""

    rule: Composition
    members: int  # respondents of the rule's categories in the component
    total: int  # all respondents in the component

    @property
    def share(self) -> Fraction | None:
        """The rule's categories' share of the panel (None before anyone took part)."""
        return Fraction(self.members, self.total) if self.total else None

    @property
    def share_pct(self) -> Decimal | None:
        """The share in percent, for people."""
        share = self.share
        return None if share is None else Decimal(share.numerator) * 100 / share.denominator

    @property
    def met(self) -> bool:
        """True when the share reaches the rule's minimum."""
        share = self.share
        return share is not None and share >= Fraction(str(self.rule.min_share))


def composition_checks(campaign: Campaign, found: Progress) -> list[CompositionCheck]:
    """Every composition rule of the campaign, checked against the panel so far."""
    checks = []
    for rule in campaign.rules.composition:
        panel = found.panel.get(rule.component, {})
        members = sum(n for category, n in panel.items() if category in rule.categories)
        checks.append(CompositionCheck(rule, members, sum(panel.values())))
    return checks


def _utc_offset_hours(campaign: Campaign) -> int:
    """The campaign's offset from UTC in whole hours (China: +8, no daylight saving)."""
    start = dt.datetime.combine(campaign.phases[0].start, dt.time(12), ZoneInfo(campaign.timezone))
    offset = start.utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 3600)


async def progress(uow: UnitOfWork, campaign: Campaign) -> Progress:
    """Started vs submitted per unit, respondents per category, answers per local day."""
    return await ProgressRepo(uow).progress(campaign.id, _utc_offset_hours(campaign))


async def overdue(
    uow: UnitOfWork, campaign_id: str, now: dt.datetime, limit: int = 50
) -> list[OverdueComplaint]:
    """Open complaints past their due time, the longest overdue first."""
    return await ProgressRepo(uow).overdue(campaign_id, now, limit)
