"""Composition rules checked on each unit's own panel (seed 002 五(三): each district's
纠风办 convenes the panel for its own bureau; mass + enterprise representatives ≥ 50 %
of each panel).  A rule in `enforced` mode keeps a unit whose panel breaks it out of
the ranking (compute.py); in `shown` mode reports only say whether it is met."""

from __future__ import annotations

from bot.campaign.schema import Campaign, Unit
from bot.scoring.counts import UnitCounts
from bot.scoring.results import PanelCheck


def panel_checks(campaign: Campaign, unit: Unit, counts: UnitCounts | None) -> list[PanelCheck]:
    """Every composition rule whose component reaches `unit`, checked on its panel: the
    people of each category are the unit's questionnaires from that category."""
    checks = []
    for rule in campaign.rules.composition:
        component = campaign.component(rule.component)
        if component.unit_kinds is not None and unit.kind not in component.unit_kinds:
            continue
        found = None if counts is None else counts.components.get(rule.component)
        people = {} if found is None else found.questionnaires
        members = sum(n for category, n in people.items() if category in rule.categories)
        total = sum(people.values())
        enforced = rule.mode == "enforced"
        checks.append(PanelCheck(rule.component, members, total, rule.min_share, enforced))
    return checks
