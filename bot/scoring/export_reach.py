"""Two more sheets of the evaluators' report: 回头看 (last round beside this one) and the
questionnaires submitted per entry path (a unit's poster, or the list)."""

from __future__ import annotations

from decimal import Decimal

from bot.campaign.schema import Campaign
from bot.i18n import t
from bot.scoring.lookback import LookBack, shown
from bot.scoring.results import CampaignScores
from storage.progress import Progress

Cell = str | int | Decimal | None
Sheet = tuple[str, str, list[str], list[list[Cell]]]  # file slug, sheet name, headers, rows
ENTRIES = ("poster", "list")


def _h(locale: str, *keys: str) -> list[str]:
    return [t(locale, f"reach.col.{key}") for key in keys]


def lookback_sheet(
    campaign: Campaign, scores: CampaignScores, lookback: LookBack, locale: str
) -> Sheet:
    """Per unit: last round's unit, rank and satisfaction, this round's, and the change."""
    rows: list[list[Cell]] = []
    source = t(
        locale,
        f"reach.last.source.{lookback.source}",
        campaign=lookback.name(locale),
        number=lookback.number or "",
    )
    for unit in sorted(scores.units, key=lambda u: (u.kind, u.rank is None, u.rank or 0, u.code)):
        now = shown(unit.satisfaction.satisfaction)
        change = lookback.change(unit.code, unit.rank, unit.satisfaction.satisfaction)
        last = change.last if change else None
        rows.append(
            [
                campaign.unit(unit.code).name.get(locale),
                last.code if last else None,
                last.rank if last else None,
                last.ranked_in_kind if last else None,
                last.satisfaction if last else None,
                unit.rank,
                now,
                change.rank if change else None,
                change.satisfaction if change else None,
                source if last else None,
            ]
        )
    headers = _h(
        locale,
        "unit",
        "last_unit",
        "last_rank",
        "last_of",
        "last_satisfaction",
        "rank",
        "satisfaction",
        "rank_change",
        "satisfaction_change",
        "source",
    )
    return "lookback", t(locale, "reach.sheet.lookback"), headers, rows


def entries_sheet(campaign: Campaign, found: Progress, ids: dict[str, int], locale: str) -> Sheet:
    """Per unit: submitted questionnaires (every component) by entry path, and in all."""
    rows: list[list[Cell]] = []
    for unit in campaign.units:
        counts = found.units[ids[unit.id]].entries if ids[unit.id] in found.units else {}
        values = [counts.get(entry, 0) for entry in ENTRIES]
        rows.append([unit.name.get(locale), *values, sum(values)])
    headers = _h(locale, "unit", *ENTRIES, "total")
    return "entries", t(locale, "reach.sheet.entries"), headers, rows
