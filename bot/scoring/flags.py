"""The tail of a ranking (排名靠后) and why a unit carries a flag — pure, no I/O.

Seeds: 002 六(二) (排名后两位, satisfaction below 80 % → 约谈), 000 第五阶段 (排名靠后
and below the average → 不评优); docs/domain.md "排名靠后".

- Ranks are shared as published (1, 2, 2, 4): tied units hold the better rank.
- A kind with no more ranked units than the group size has no tail.
- A unit that shares the first rank is never in the tail.
- The tail of g is the last g places.  A group of tied units lying wholly in it is
  in.  A tie straddling the boundary (some of its places inside, some outside) is
  what the rule's `ties` says: `exclude` (the default) keeps them out — they hold
  the rank above the boundary, as the published ranking shows it, and a flag is a
  consequence that should need no tie-break; `include` brings them all in, so that
  nobody escapes a flag through a tie.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.campaign.schema import Campaign, ComponentKind, TieRule
from bot.i18n import t
from bot.scoring.format import format_pct, format_points
from bot.scoring.results import CampaignScores, Status, UnitScore


def in_tail(rank: int, lower: int, tied: int, ranked: int, group: int, ties: TieRule) -> bool:
    """Whether a unit is among the last `group` of `ranked` units of its kind.

    `lower`: ranked units scoring strictly lower; `tied`: units sharing its score,
    itself included.  Its places are ranked − lower − tied + 1 … ranked − lower.
    """
    if ranked <= group or rank == 1:
        return False
    if lower + tied <= group:  # every place of the tie lies in the tail
        return True
    return ties == "include" and lower < group  # the tie straddles the boundary


@dataclass(frozen=True)
class Reason:
    """A flag and what raised it, as a translation key and its values."""

    flag: str  # talk | no_excellence | award
    key: str
    values: dict[str, object]


def reasons(campaign: Campaign, scores: CampaignScores, unit: UnitScore) -> list[Reason]:
    """Every flag of `unit`, each with the figures that raised it."""
    rules = campaign.rules
    found: list[Reason] = []
    place: dict[str, object] = {"rank": unit.rank, "of": unit.ranked_in_kind}
    if unit.talk and rules.talk is not None:
        threshold = rules.talk.satisfaction_below
        shown = _below(unit.satisfaction.satisfaction, threshold)
        values = {"group": rules.talk.bottom_group, "satisfaction": shown}
        found.append(
            Reason(
                "talk",
                "scoring.reason.talk",
                {**place, **values, "threshold": format_pct(threshold, places=0)},
            )
        )
    if unit.no_excellence and rules.no_excellence is not None:
        average = scores.kind_average.get(unit.kind)
        values = {
            "group": rules.no_excellence.ranked_low,
            "composite": format_points(unit.composite),
            "average": format_points(average),
        }
        found.append(Reason("no_excellence", "scoring.reason.no_excellence", {**place, **values}))
    if unit.award:
        found.append(Reason("award", "scoring.reason.award", place))
    return found


def _below(value: Decimal | None, threshold: Decimal) -> str:
    """A satisfaction shown beside the threshold it is below: one place, or four where one
    place would round it up to the threshold (79.96 % is not shown as 80.0 % < 80 %)."""
    shown = format_pct(value)
    if value is not None and Decimal(shown.rstrip("%")) >= threshold:
        return format_pct(value, places=4)
    return shown


def why_unranked(campaign: Campaign, unit: UnitScore, locale: str) -> str:
    """Why a unit has no rank, component by component: k of m people, or awaiting marks
    (components that do not cover it are not counted against it)."""
    found: list[str] = []
    for part in unit.components:
        if not part.applies:
            continue
        name = campaign.component(part.component).name.get(locale)
        if not part.sufficient:  # a survey's or a rectification's sample
            people = part.overall.people if part.overall else 0
            minimum = campaign.rules.minimum_sample
            found.append(
                t(
                    locale,
                    "scoring.why.insufficient",
                    component=name,
                    people=people,
                    minimum=minimum,
                )
            )
        elif part.kind == ComponentKind.MANUAL and part.score is None:
            found.append(t(locale, "scoring.why.awaiting", component=name))
    return "; ".join(found)


def status_text(campaign: Campaign, unit: UnitScore, locale: str) -> str:
    """A unit's status in words: why it is not ranked, if it is not."""
    why = why_unranked(campaign, unit, locale) if unit.status is not Status.RANKED else ""
    return why or t(locale, f"scoring.status.{unit.status.value}")
