"""Two figures of a unit the scorer (compute.py) makes from counts: the pooled
satisfaction over its survey components, and a rectification component's score.

A rectification component (``kind: rectification`` in the campaign file) scores the
public's one verdict each on the unit's completed rectification plan (整改满意度,
bot/rectification) by the same rules as a survey: the five levels, 不了解 counted
but out of the denominator, the interval, and the campaign's minimum sample of
people — below it the unit is not ranked (insufficient), as for a survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from bot.campaign.schema import Campaign, Component
from bot.scoring import stats
from bot.scoring.counts import ComponentCounts, dec, figure
from bot.scoring.results import ComponentScore, Figure


def pooled_figure(surveyed: list[ComponentCounts | None]) -> tuple[Figure, Fraction | None]:
    """The unit's satisfaction over all its survey components (their people added up)."""
    counts: dict[str, int] = {}
    people = 0
    for found in surveyed:
        if found is None:
            continue
        for level, n in found.overall.items():
            counts[level] = counts.get(level, 0) + n
        people += found.sample()
    return figure(counts, people), stats.satisfaction(counts)


def rectification_part(
    campaign: Campaign, comp: Component, counts: Mapping[str, int]
) -> tuple[ComponentScore, Fraction | None]:
    """A rectification component of one unit, from its verdicts counted per level (one
    per person, so the sample is the valid verdicts)."""
    overall = figure(counts, None)
    score = stats.satisfaction(counts)
    part = ComponentScore(
        component=comp.id,
        kind=comp.kind.value,
        weight=comp.weight,
        score=dec(score),
        overall=overall,
        sufficient=overall.people >= campaign.rules.minimum_sample,
    )
    return part, score
