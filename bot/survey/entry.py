"""A questionnaire opened from a unit's poster (its deep link, bot/core/deeplinks.py).

Random appraisal (Shiyan 2011 五(三): 定期综合评议和随机评议相结合): a citizen served at a
window scans the poster there and rates that window at once.  The link names the unit
only, so that a printed poster outlives phases: which of the unit's questionnaires
opens is decided when it is scanned — the first, in campaign order, that is open today
to the person's category and that they have not submitted yet.  The questionnaire is
stored with entry path "poster" (/progress and the export count both paths).
"""

from __future__ import annotations

import datetime as dt

from bot.campaign.schema import Campaign, Component, Unit
from bot.core.clock import local_today
from bot.survey.screens import Notice, Reply, closed_notice
from bot.survey.service import SurveyService
from storage.uow import UnitOfWork

POSTER = "poster"


async def open_from_poster(
    service: SurveyService, uow: UnitOfWork, rid: int, unit_id: int
) -> Reply:
    """The questionnaire about unit `unit_id`, or why none can be answered now."""
    located = service.registry.unit(unit_id)
    if located is None:
        return Reply(Notice("reach.start.invalid"), edit=False)
    campaign, unit = located
    category = await service.category(uow, rid, campaign)
    covering = [
        c
        for c in campaign.survey_components()
        if c.covers(unit) and (c.categories is None or category in c.categories)
    ]
    today = local_today(service.clock, campaign.timezone)
    open_now = [c for c in covering if closed_notice(c, campaign, today, service.phases) is None]
    for component in open_now:
        if unit_id not in await service.rated(uow, rid, campaign.id, component.id):
            return await service.pick_unit(uow, rid, unit_id, component.id, entry=POSTER)
    if open_now:  # every open questionnaire about it submitted: the engine says so
        return await service.pick_unit(uow, rid, unit_id, open_now[0].id, entry=POSTER)
    return Reply(_why_not(campaign, unit, covering, service, today), edit=False)


def _why_not(
    campaign: Campaign,
    unit: Unit,
    covering: list[Component],
    service: SurveyService,
    today: dt.date,
) -> Notice:
    """Closed (with the dates), for a panel only, or no questionnaire about the unit."""
    if covering:
        closed = closed_notice(covering[0], campaign, today, service.phases)
        return closed or Notice("survey.none_open")
    panel = next((c for c in campaign.survey_components() if c.covers(unit)), None)
    if panel is not None:
        return Notice("survey.panel_only", {"component": panel.name})
    return Notice("survey.none_open")
