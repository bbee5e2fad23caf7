"""Who the rehearsal brings, and what each of them will do — pure, seeded, no I/O.

Every unit is given at least the campaign's minimum sample in every survey component
that covers it, so that the final report can rank it: a panel of that many members per
unit for the panel components (members sit on one unit's panel, through a code bound to
it), and for the public questionnaire `--respondents` citizens, some of whom rate a
second unit ("rate another unit") when that is needed to reach the minimum everywhere.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from bot.campaign.schema import Campaign, Component, Unit
from bot.survey.flow import LEVELS

LANGUAGES = (("zh-hans", 0.7), ("zh-tw", 0.1), ("zh-hk", 0.05), ("en", 0.15))
SUGGESTIONS = (
    "希望办事窗口延长午间服务时间。",
    "执法检查前能否提前告知需要准备的材料？",
    "网上公开的办事指南有些已经过时，请及时更新。",
    "工作人员态度很好，点赞！",
    "建议公开投诉处理结果 <及时反馈> & 接受监督。",  # markup-like text must arrive escaped
    "Please publish the inspection schedule online.",
)
DONT_KNOW = len(LEVELS) - 1  # the index of 不了解 among the level buttons
PANEL_IDS = 700_000
PUBLIC_IDS = 900_000


@dataclass(frozen=True)
class Rating:
    """One questionnaire about one unit in one component."""

    component: Component
    unit: Unit
    levels: list[int]  # an index into LEVELS per item
    suggestion: str | None
    search: bool  # type part of the unit's name instead of paging


@dataclass
class Person:
    """A simulated respondent: a member of the public, or a panel member with a category."""

    user_id: int
    language: str
    category: str | None = None  # None: the public (no code)
    panel_unit: Unit | None = None
    ratings: list[Rating] = field(default_factory=list)


def survey_days(campaign: Campaign) -> dict[dt.date, list[Component]]:
    """The survey components grouped by the day they are rehearsed: the middle of each
    component's phase, in date order."""
    days: dict[dt.date, list[Component]] = {}
    for component in campaign.survey_components():
        assert component.phase is not None
        phase = campaign.phase(component.phase)
        day = phase.start + dt.timedelta(days=(phase.end - phase.start).days // 2)
        days.setdefault(day, []).append(component)
    return dict(sorted(days.items()))


def people(campaign: Campaign, respondents: int, rng: random.Random) -> list[Person]:
    """The panels, then the public; each unit gets its own quality, so units differ."""
    quality = {u.id: rng.uniform(0.35, 0.95) for u in campaign.units}
    members = panels(campaign, quality, rng)
    return members + public(campaign, respondents, quality, rng)


def panels(campaign: Campaign, quality: dict[str, float], rng: random.Random) -> list[Person]:
    """`minimum_sample` members per unit that a panel component covers, each rating that
    unit in every panel component their category may answer."""
    panel_components = [c for c in campaign.survey_components() if c.categories is not None]
    units = {u.id: u for c in panel_components for u in campaign.units_for(c)}
    found: list[Person] = []
    for unit in units.values():
        covering = [c for c in panel_components if c.covers(unit)]
        categories = _shared_categories(covering)
        share = rng.uniform(0.35, 0.75)  # of the composition rule's categories, if any
        wanted = _rule_categories(campaign, covering)
        for _ in range(campaign.rules.minimum_sample):
            pool = wanted if wanted and rng.random() < share else categories
            person = Person(PANEL_IDS + len(found), _language(rng), rng.choice(pool), unit)
            person.ratings = [
                _rating(campaign, c, unit, quality[unit.id], rng)
                for c in covering
                if c.categories is not None and person.category in c.categories
            ]
            found.append(person)
    return found


def _shared_categories(components: list[Component]) -> list[str]:
    """Categories every one of the components admits (else any of them admits)."""
    sets = [set(c.categories or ()) for c in components]
    shared = set.intersection(*sets) if sets else set()
    ordered = [cat for c in components for cat in (c.categories or ())]
    pool = shared or set(ordered)
    return sorted(pool, key=ordered.index)


def _rule_categories(campaign: Campaign, components: list[Component]) -> list[str]:
    """The categories a composition rule on these components asks a share of."""
    ids = {c.id for c in components}
    return [
        cat
        for rule in campaign.rules.composition
        if rule.component in ids
        for cat in rule.categories
    ]


def public(
    campaign: Campaign, respondents: int, quality: dict[str, float], rng: random.Random
) -> list[Person]:
    """`respondents` citizens for the public questionnaire(s), units dealt evenly so that
    each unit reaches the minimum sample (some citizens then rate a second unit)."""
    crowd = [Person(PUBLIC_IDS + n, _language(rng)) for n in range(respondents)]
    for component in campaign.survey_components():
        if component.categories is not None:
            continue
        units = campaign.units_for(component)
        needed = max(respondents, campaign.rules.minimum_sample * len(units))
        for unit in _deal(units, min(needed, respondents * len(units)), rng):
            person = _least_busy(crowd, component, unit)
            person.ratings.append(_rating(campaign, component, unit, quality[unit.id], rng))
    return crowd


def _least_busy(crowd: list[Person], component: Component, unit: Unit) -> Person:
    """The citizen with the fewest ratings who has not rated `unit` in `component` yet
    (nobody rates a unit twice in one component)."""
    free = [
        p
        for p in crowd
        if not any(r.unit.id == unit.id and r.component.id == component.id for r in p.ratings)
    ]
    return min(free, key=lambda p: len(p.ratings))


def _deal(units: list[Unit], count: int, rng: random.Random) -> list[Unit]:
    """`count` units, each as often as the others (±1), in a shuffled order."""
    deck = [units[n % len(units)] for n in range(count)]
    rng.shuffle(deck)
    return deck


def _rating(
    campaign: Campaign, component: Component, unit: Unit, quality: float, rng: random.Random
) -> Rating:
    """What one person answers about one unit: better levels for better units."""
    items = campaign.questionnaire_for(component).items
    levels = [_level(quality, rng) for _ in items]
    if all(level == DONT_KNOW for level in levels):
        levels[0] = 0  # a rater with no valid answer would not count towards the sample
    wants = campaign.questionnaire.suggestion is not None and rng.random() < 0.3
    suggestion = rng.choice(SUGGESTIONS) if wants else None
    return Rating(component, unit, levels, suggestion, rng.random() < 0.5)


def _level(quality: float, rng: random.Random) -> int:
    """A level index: 不了解 sometimes, otherwise better levels for better units."""
    if rng.random() < 0.08:
        return DONT_KNOW
    weights = [quality**2, quality * (1 - quality) * 2, (1 - quality) * 0.8, (1 - quality) ** 2]
    return rng.choices(range(4), weights)[0]


def _language(rng: random.Random) -> str:
    """A Telegram language code, weighted as a Chinese city's users would be."""
    return rng.choices([code for code, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
