"""The report sheets that need more than the campaign's scores: last round's figures
(回头看, read through the publication service) and the entry paths (progress counts)."""

from __future__ import annotations

from bot.campaign.schema import Campaign
from bot.publish.service import PublicationService
from bot.scoring import progress
from bot.scoring.export_reach import Sheet, entries_sheet, lookback_sheet
from bot.scoring.results import CampaignScores
from storage.uow import UnitOfWork


async def reach_sheets(
    service: PublicationService,
    uow: UnitOfWork,
    campaign: Campaign,
    scores: CampaignScores,
    locale: str,
) -> list[Sheet]:
    """The entry-path sheet, and the 回头看 sheet when the campaign follows another."""
    found = await progress.progress(uow, campaign)
    ids = {u.id: service.registry.unit_id(campaign, u) for u in campaign.units}
    sheets = [entries_sheet(campaign, found, ids, locale)]
    lookback = await service.last_round(uow, campaign.id)
    if lookback is not None:
        sheets.insert(0, lookback_sheet(campaign, scores, lookback, locale))
    return sheets
