"""The scorer's counts: answers aggregated per unit, component, item, category and level,
kept as they arrive, and the figures made from them (cached until their counts change).

Counts are what the database aggregated (storage/scoring.py); a figure's satisfaction
and interval come from bot/scoring/stats.py, the one place they are computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from bot.scoring import stats
from bot.scoring.results import Figure, SanctionNote
from storage.scoring import PEOPLE, TallyKey  # (unit id, component, item, category, level)

PLACES = Decimal("0.0001")
# Every change of counts takes a new number: a cached value keyed by a version is
# never mistaken for another's, even across objects.
_VERSIONS = itertools.count(1)


class ComponentCounts:
    """One unit's answers to one survey component, aggregated the ways the scorer reads them.

    Counts only grow (a submitted questionnaire's answers never change; a unit
    recounted exactly gets new objects).  The sample is people: `people` counts, per
    category, the respondents with at least one valid answer (the database counts
    them, storage.scoring.PEOPLE), never item answers.  The figures are cached; an
    addition drops the ones whose counts it touched.
    """

    def __init__(self) -> None:
        """No answers yet."""
        self.items: dict[str, dict[str, int]] = {}  # item → level → answers
        self.categories: dict[str, dict[str, int]] = {}  # category → level → answers
        self.overall: dict[str, int] = {}  # level → answers
        self.people: dict[str, int] = {}  # category → respondents with a valid answer
        self.version = next(_VERSIONS)
        self._item_figures: dict[str, Figure] = {}
        self._category_figures: dict[str, Figure] = {}
        self._overall_figure: Figure | None = None

    def add(self, item: str, category: str, level: str, count: int) -> None:
        """Count `count` more answers of `level` to `item` from `category` (or, with item
        and level PEOPLE, `count` more respondents with a valid answer)."""
        if item == PEOPLE and level == PEOPLE:
            self.people[category] = self.people.get(category, 0) + count
        else:
            for group, name in ((self.items, item), (self.categories, category)):
                by_level = group.get(name)
                if by_level is None:
                    by_level = group[name] = {}
                by_level[level] = by_level.get(level, 0) + count
            self.overall[level] = self.overall.get(level, 0) + count
            self._item_figures.pop(item, None)
        self._category_figures.pop(category, None)
        self._overall_figure = None
        self.version = next(_VERSIONS)

    def item_figure(self, item: str) -> Figure:
        """The figure of one item (one answer per respondent)."""
        found = self._item_figures.get(item)
        if found is None:
            found = self._item_figures[item] = figure(self.items[item], None)
        return found

    def category_figure(self, category: str) -> Figure:
        """The figure of one respondent category, over its people."""
        found = self._category_figures.get(category)
        if found is None:
            found = figure(self.categories[category], self.people.get(category, 0))
            self._category_figures[category] = found
        return found

    def overall_figure(self) -> Figure:
        """The figure of the whole component, over every category's people."""
        if self._overall_figure is None:
            self._overall_figure = figure(self.overall, self.sample())
        return self._overall_figure

    def sample(self) -> int:
        """People with at least one valid answer, every category together."""
        return sum(self.people.values())


class UnitCounts:
    """A unit's answer counts, per component, with a version that changes with them."""

    def __init__(self) -> None:
        """No answers yet."""
        self.components: dict[str, ComponentCounts] = {}
        self.answers = 0  # every answer, 不了解 included
        self.version = next(_VERSIONS)

    def add(self, component: str, item: str, category: str, level: str, count: int) -> None:
        """Count `count` more answers."""
        counts = self.components.get(component)
        if counts is None:
            counts = self.components[component] = ComponentCounts()
        counts.add(item, category, level, count)
        if item != PEOPLE:
            self.answers += count
        self.version = next(_VERSIONS)


@dataclass
class ScoringData:
    """Everything the arithmetic needs, as the database aggregated it."""

    units: dict[int, UnitCounts] = field(default_factory=dict)  # answer counts per unit
    marks: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # scores ×100
    deductions: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)  # ×100, n
    bonuses: dict[int, int] = field(default_factory=dict)  # points ×100
    complaints: dict[int, dict[str, int]] = field(default_factory=dict)
    overdue: dict[int, int] = field(default_factory=dict)
    findings: dict[int, int] = field(default_factory=dict)
    suggestions: dict[int, list[str]] = field(default_factory=dict)
    sanctions: dict[int, tuple[SanctionNote, ...]] = field(default_factory=dict)
    # the public's verdicts on each unit's rectification, per level (a rectification component)
    rectification: dict[int, dict[str, int]] = field(default_factory=dict)

    def add_tally(self, key: TallyKey, count: int) -> None:
        """Count `count` more answers under `key`."""
        uid, component, item, category, level = key
        counts = self.units.get(uid)
        if counts is None:
            counts = self.units[uid] = UnitCounts()
        counts.add(component, item, category, level, count)

    def set_counts(self, counts: Mapping[TallyKey, int], units: set[int] | None = None) -> None:
        """Replace the counts (of `units` only, if given) by `counts`."""
        if units is None:
            self.units = {}
        else:
            for uid in units:
                self.units.pop(uid, None)
        for key, n in counts.items():
            self.add_tally(key, n)

    def answers(self) -> int:
        """Every counted answer, 不了解 included."""
        return sum(counts.answers for counts in self.units.values())


def dec(value: Fraction | None) -> Decimal | None:
    """An exact value as a Decimal with four places (half up)."""
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )


def figure(counts: Mapping[str, int], people: int | None) -> Figure:
    """Counts → a Figure; `people` None means one answer per respondent (an item)."""
    valid = stats.valid_count(counts)
    sample = valid if people is None else people
    ci = stats.interval(counts, sample)
    return Figure(
        counts={k: v for k, v in sorted(counts.items()) if v},
        valid=valid,
        dont_know=stats.dont_know_count(counts),
        people=sample,
        satisfaction=dec(stats.satisfaction(counts)),
        low=ci[0] if ci else None,
        high=ci[1] if ci else None,
    )
