"""What a publication holds: the figures as they stood, rounded as published, and names.

A snapshot is built once from the scorer's public results (`CampaignScores`) and
stored as JSON; every later reader — /results, the static site, the web server —
renders the snapshot alone, never the live scores, so a publication cannot change.

What the public is shown about the problems raised (docs/domain.md, "Publication"):
complaint counts per kind of conduct, the number of substantiated findings, and
the *number* of suggestions.  Suggestion texts are never copied into a snapshot:
they are free text a citizen typed and may name a person (a clerk, themselves),
and no automatic filter can promise otherwise, so they stay with the evaluators
(/issues).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from bot.campaign.schema import Campaign, LocaleText
from bot.core.registry import Registry
from bot.i18n import LOCALES
from bot.scoring.format import format_pct_change, format_points, format_rank_change
from bot.scoring.lookback import LookBack
from bot.scoring.results import CampaignScores, UnitScore

SNAPSHOT_VERSION = 1


class _Frozen(BaseModel):
    """Immutable, and strict about unknown fields (a snapshot is read back as written)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ProblemCount(_Frozen):
    """Complaints of one kind of conduct about a unit."""

    kind: str
    name: dict[str, str]  # locale → name of the conduct kind
    count: int


class PublishedLast(_Frozen):
    """回头看: a unit's figures last round, as this publication states them."""

    code: str  # last round's unit id
    rank: int | None
    ranked_in_kind: int
    satisfaction: str | None  # one decimal (%)
    rank_change: str  # ↑2 / ↓1 / = / —
    satisfaction_change: str  # +3.3 / -1.2 / ±0.0 / —


class LookedBack(_Frozen):
    """The campaign this one follows, and where its figures came from."""

    campaign_id: str
    name: dict[str, str]  # locale → name
    source: str  # published | scores
    number: int | None  # the publication's number, when published


class PublishedUnit(_Frozen):
    """One unit as published."""

    unit_id: int
    code: str
    kind: str
    name: dict[str, str]  # locale → name
    status: str  # ranked | insufficient | incomplete
    rank: int | None
    ranked_in_kind: int
    composite: str | None  # two decimals, half up, as ranked
    satisfaction: str | None  # one decimal, half up (%)
    low: str | None
    high: str | None
    people: int  # respondents with a valid answer behind the satisfaction
    flags: tuple[str, ...]  # talk | no_excellence | award
    complaints: tuple[ProblemCount, ...]
    findings: int
    suggestions: int
    last: PublishedLast | None = None  # 回头看, when the campaign follows another

    def label(self, locale: str) -> str:
        """The unit's name in `locale` (the default locale's if missing)."""
        return self.name.get(locale) or self.name[LOCALES[0]]


class Snapshot(_Frozen):
    """A campaign's results as published."""

    version: int = SNAPSHOT_VERSION
    campaign_id: str
    campaign_name: dict[str, str]
    timezone: str = "Asia/Shanghai"  # the campaign's, for dates shown to people
    computed_at: dt.datetime
    answers: int
    kinds: tuple[str, ...]
    units: tuple[PublishedUnit, ...]
    looks_back: LookedBack | None = None

    def ranking(self, kind: str) -> list[PublishedUnit]:
        """Units of one kind: ranked ones by rank, then the others by code."""
        of_kind = [u for u in self.units if u.kind == kind]
        return sorted(of_kind, key=lambda u: (u.rank is None, u.rank or 0, u.code))

    def unit(self, unit_id: int) -> PublishedUnit | None:
        """One unit by id."""
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def title(self, locale: str) -> str:
        """The campaign's name in `locale`."""
        return self.campaign_name.get(locale) or self.campaign_name[LOCALES[0]]


def _pct(value: Decimal | None) -> str | None:
    """A percentage rounded as published (one decimal, half up), without the % sign."""
    return None if value is None else format_points(value, 1)


def _names(text: LocaleText) -> dict[str, str]:
    """A campaign text in every locale."""
    return {locale: text.get(locale) for locale in LOCALES}


def _last(lookback: LookBack | None, scored: UnitScore) -> PublishedLast | None:
    """The unit's figures last round and the change, as published."""
    if lookback is None:
        return None
    change = lookback.change(scored.code, scored.rank, scored.satisfaction.satisfaction)
    if change is None:
        return None
    last = change.last
    return PublishedLast(
        code=last.code,
        rank=last.rank,
        ranked_in_kind=last.ranked_in_kind,
        satisfaction=None if last.satisfaction is None else str(last.satisfaction),
        rank_change=format_rank_change(change.rank),
        satisfaction_change=format_pct_change(change.satisfaction),
    )


def _unit(
    campaign: Campaign,
    registry: Registry,
    scored: UnitScore,
    suggestions: dict[int, int],
    lookback: LookBack | None = None,
) -> PublishedUnit:
    """One unit's published figures."""
    unit = campaign.unit(scored.code)
    conduct = {k.id: k for k in campaign.complaints.conduct_kinds} if campaign.complaints else {}
    problems = tuple(
        ProblemCount(
            kind=kind,
            name=_names(conduct[kind].name) if kind in conduct else dict.fromkeys(LOCALES, kind),
            count=count,
        )
        for kind, count in sorted(scored.issues.complaints.items(), key=lambda kv: (-kv[1], kv[0]))
        if count
    )
    flags = tuple(
        flag
        for flag, on in (
            ("talk", scored.talk),
            ("no_excellence", scored.no_excellence),
            ("award", scored.award),
        )
        if on
    )
    figure = scored.satisfaction
    return PublishedUnit(
        unit_id=registry.unit_id(campaign, unit),
        code=scored.code,
        kind=scored.kind,
        name=_names(unit.name),
        status=str(scored.status),
        rank=scored.rank,
        ranked_in_kind=scored.ranked_in_kind,
        composite=None if scored.composite is None else format_points(scored.composite),
        satisfaction=_pct(figure.satisfaction),
        low=_pct(figure.low),
        high=_pct(figure.high),
        people=figure.people,
        flags=flags,
        complaints=problems,
        findings=scored.issues.findings,
        suggestions=suggestions.get(scored.unit_id, 0),
        last=_last(lookback, scored),
    )


def build_snapshot(
    campaign: Campaign,
    registry: Registry,
    scores: CampaignScores,
    suggestions: dict[int, int] | None = None,
    lookback: LookBack | None = None,
) -> Snapshot:
    """The snapshot of `scores` (the campaign's figures as they stand); `suggestions`
    counts the suggestions per unit id (the scorer keeps only the newest few texts);
    `lookback` holds last round's figures when the campaign follows another (回头看)."""
    kinds = tuple(dict.fromkeys(u.kind.value for u in campaign.units))
    looked = None
    if lookback is not None:
        looked = LookedBack(
            campaign_id=lookback.campaign_id,
            name={locale: lookback.name(locale) for locale in LOCALES},
            source=lookback.source,
            number=lookback.number,
        )
    return Snapshot(
        campaign_id=campaign.id,
        campaign_name=_names(campaign.name),
        timezone=campaign.timezone,
        computed_at=scores.computed_at,
        answers=scores.answers,
        kinds=kinds,
        units=tuple(
            _unit(campaign, registry, u, suggestions or {}, lookback) for u in scores.units
        ),
        looks_back=looked,
    )
