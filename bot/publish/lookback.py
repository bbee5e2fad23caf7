"""回头看: read last round's figures for a campaign that follows another.

Where they come from (docs/domain.md, "Looking back"): the followed campaign's latest
publication when there is one — what the public was told, never changed afterwards —
else its latest stored scores (computed now if it never was).  Units are matched by
the campaign file's `follows.units` (this round's id → last round's).
"""

from __future__ import annotations

from decimal import Decimal

from bot.core.registry import Registry
from bot.i18n import LOCALES
from bot.publish.snapshot import Snapshot
from bot.scoring.lookback import LastRound, LookBack, shown
from bot.scoring.service import ScoringService
from storage.publication import PublicationRepo
from storage.uow import UnitOfWork


async def last_round(
    uow: UnitOfWork, registry: Registry, scoring: ScoringService, campaign_id: str
) -> LookBack | None:
    """Last round's figures of `campaign_id`'s units; None if it follows no campaign."""
    campaign = registry.campaigns.get(campaign_id)
    if campaign is None or campaign.follows is None:
        return None
    followed = campaign.follows.campaign
    record = await PublicationRepo(uow).latest(followed)
    if record is not None:
        figures = _published(Snapshot.model_validate(record.data))
        source, number = "published", record.number
    else:
        figures = await _scored(uow, scoring, followed)
        source, number = "scores", None
    units = {new: figures[old] for new, old in campaign.follows.units.items() if old in figures}
    last = registry.campaigns.get(followed)
    title = {loc: last.name.get(loc) for loc in LOCALES} if last else {}
    return LookBack(followed, source, number, title, units)


def _published(snapshot: Snapshot) -> dict[str, LastRound]:
    """Each unit of a publication as published."""
    return {
        u.code: LastRound(
            u.code, u.rank, u.ranked_in_kind, Decimal(u.satisfaction) if u.satisfaction else None
        )
        for u in snapshot.units
    }


async def _scored(
    uow: UnitOfWork, scoring: ScoringService, campaign_id: str
) -> dict[str, LastRound]:
    """Each unit of the campaign's stored scores (refreshed first if never computed)."""
    scores = await scoring.results(uow, campaign_id)
    if scores is None:
        await scoring.refresh(campaign_id)
        scores = await scoring.results(uow, campaign_id)
    if scores is None:
        return {}
    return {
        u.code: LastRound(u.code, u.rank, u.ranked_in_kind, shown(u.satisfaction.satisfaction))
        for u in scores.units
    }
