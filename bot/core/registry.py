"""The campaigns this process serves, with the database ids of their units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.campaign.schema import Campaign, Component, Unit
from storage.repositories import sync_campaign
from storage.uow import Database


@dataclass
class Registry:
    """Loaded campaign definitions and the unit ids the database gave them."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)
    unit_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    units_by_id: dict[int, tuple[Campaign, Unit]] = field(default_factory=dict)
    # (unit id, survey component id) → what a questionnaire button refers to;
    # built once, because every tap looks it up.
    questionnaires: dict[tuple[int, str], tuple[Campaign, Unit, Component]] = field(
        default_factory=dict
    )

    def add(self, campaign: Campaign, ids: dict[str, int]) -> None:
        """Register a campaign whose units the database knows as `ids`."""
        self.campaigns[campaign.id] = campaign
        for unit in campaign.units:
            unit_id = ids[unit.id]
            self.unit_ids[(campaign.id, unit.id)] = unit_id
            self.units_by_id[unit_id] = (campaign, unit)
        for component in campaign.survey_components():
            for unit in campaign.units_for(component):
                self.questionnaires[(ids[unit.id], component.id)] = (campaign, unit, component)

    def questionnaire(
        self, unit_id: int, component_id: str
    ) -> tuple[Campaign, Unit, Component] | None:
        """The campaign, unit and survey component a questionnaire is about (None: no such)."""
        return self.questionnaires.get((unit_id, component_id))

    def unit_id(self, campaign: Campaign, unit: Unit) -> int:
        """The database id of a unit."""
        return self.unit_ids[(campaign.id, unit.id)]

    def unit(self, unit_id: int) -> tuple[Campaign, Unit] | None:
        """The campaign and unit behind a database id (None if unknown)."""
        return self.units_by_id.get(unit_id)

    def find_units(self, query: str, campaign_id: str | None = None) -> list[tuple[Campaign, Unit]]:
        """The units a person means by `query` (in campaign `campaign_id` only, if given).

        The unit whose campaign-file id it is (``wujin``, or ``campaign/wujin`` to pick
        the campaign), else every unit whose name in any locale contains it, ignoring
        case; in campaign order, then file order.  The one lookup every command uses.
        """
        text = query.strip()
        prefix, _, code = text.rpartition("/")
        if prefix in self.campaigns and campaign_id in (None, prefix):
            campaign_id, text = prefix, code.strip()
        if not text:
            return []
        campaigns = [c for c in self.campaigns.values() if campaign_id in (None, c.id)]
        exact = [(c, u) for c in campaigns for u in c.units if u.id == text.lower()]
        if exact:
            return exact
        folded = text.casefold()
        return [
            (c, u)
            for c in campaigns
            for u in c.units
            if any(folded in name.casefold() for name in u.name.all())
        ]

    def component(self, campaign_id: str, component_id: str) -> tuple[Campaign, Component] | None:
        """A campaign's component by ids (None if either is unknown)."""
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return None
        try:
            return campaign, campaign.component(component_id)
        except KeyError:
            return None


async def load_registry(db: Database, campaigns: dict[str, Campaign], now: dt.datetime) -> Registry:
    """Make sure the database knows every loaded campaign and its units."""
    registry = Registry()
    for campaign in sorted(campaigns.values(), key=lambda c: c.id):
        await register(db, registry, campaign, now)
    return registry


async def register(db: Database, registry: Registry, campaign: Campaign, now: dt.datetime) -> None:
    """Store one campaign's row and units and add it to the registry."""
    async with db.unit_of_work() as uow:
        ids = await sync_campaign(
            uow,
            campaign.id,
            campaign.name.zh_Hans,
            campaign.year,
            campaign.model_dump_json(),
            [(u.id, u.kind.value, u.name.zh_Hans) for u in campaign.units],
            now,
        )
    registry.add(campaign, ids)
