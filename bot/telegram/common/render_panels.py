"""Panel composition per unit (seed 002 五(三): each bureau convenes its own panel) in
/progress and /score; inspectors' findings of a unit in /issues."""

from __future__ import annotations

from decimal import Decimal

from bot.campaign.schema import Campaign
from bot.i18n import t
from bot.scoring.format import format_pct
from bot.scoring.results import CampaignScores, UnitScore
from storage.inspections import InspectionRecord


def unit_panels(
    campaign: Campaign, scores: CampaignScores | None, component: str, locale: str
) -> list[str]:
    """The rule checked on each unit's own panel (seed 002 五(三)), from the last scores."""
    lines = []
    for u in scores.units if scores else []:
        for p in (p for p in u.panels if p.component == component and p.total):
            lines.append(
                t(
                    locale,
                    "scoring.panel.line",
                    mark="✅" if p.met else "⚠️",
                    unit=campaign.unit(u.code).name.get(locale),
                    share=format_pct(Decimal(p.members) * 100 / p.total),
                    members=p.members,
                    total=p.total,
                    enforced=t(locale, "scoring.panel.enforced") if p.enforced else "",
                )
            )
    return lines


def panel_lines(campaign: Campaign, unit: UnitScore, locale: str) -> list[str]:
    """/score: each composition rule on the unit's panel."""
    return [
        t(
            locale,
            "scoring.panel.score",
            component=campaign.component(p.component).name.get(locale),
            share=format_pct(Decimal(p.members) * 100 / p.total if p.total else None),
            members=p.members,
            total=p.total,
            minimum=format_pct(p.min_share * 100, places=0),
            enforced=t(locale, "scoring.panel.enforced") if p.enforced else "",
        )
        for p in unit.panels
    ]


def inspection_lines(found: list[InspectionRecord], locale: str) -> list[str]:
    """/issues: the unit's inspectors' findings with their status (no inspector named)."""
    if not found:
        return []
    lines = ["", t(locale, "inspection.issues.title")]
    for f in found:
        points = "—" if f.points_x100 is None else f"{f.points_x100 / 100:g}"
        lines.append(
            t(
                locale,
                "inspection.issues.line",
                id=f.id,
                kind=t(locale, f"inspection.kind.{f.kind}"),
                status=t(locale, f"inspection.status.{f.status}"),
                points=points,
                seen=f.seen[:300],
            )
        )
        if f.correction:
            lines.append(t(locale, "inspection.issues.corrected", text=f.correction[:300]))
    return lines
