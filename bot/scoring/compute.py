"""The scorer's arithmetic: components, composite, ranks, flags and awards (pure, no I/O).

Rules (docs/domain.md; seed 002 五、六; seed 000 第五阶段):

- A survey component's score is the satisfaction of its answers (0–100).
- A manual component's score is the mean of the marks evaluators entered (0–100).
- A deduction component contributes its full weight minus the points of its
  findings, never below zero and never more than the weight; as a 0–100 score
  that is (weight − deducted) ÷ weight × 100.
- Components that do not cover a unit (`unit_kinds`, `units`, `exclude_units`) are left
  out; its composite is **rescaled by the applicable weights** (Σ weight × score ÷ Σ
  applicable weights): all are scored out of 100, under one bonus cap and one 80 %.
- composite = base + bonus, the bonus being the sum of the unit's bonus entries,
  capped at the campaign's `bonus_cap`; the composite lies in [0, 100 + cap].
- A unit is ranked only if every covering survey component has the minimum sample of
  people (never item answers) and every manual component has a mark.
- Ranks: scores are published with two decimals, and units whose published
  composites are equal share a rank (1, 2, 2, 4).
- "Bottom group of g" / "ranked low (g)": the last g places of the kind's ranking
  (bot/scoring/flags.py): never a unit sharing the first rank, none in a kind of at
  most g ranked units, and a tie across the boundary as the rule's `ties` says.
- 约谈: in the bottom group and (pooled) satisfaction below the threshold.
- 不评优: ranked low and composite below the average composite of the kind.
- Awards: ranked units with rank ≤ the award's count, flagged units excluded
  (a tie on the last place shares the award).
- Sanctions (seed 002 六(三)): ranks sort by (not "worst", score): worst units end their
  kind and sit below every other for the flags; any sanction removes the award.

Speed (an incremental refresh must take well under 100 ms at a million answers):
counts are kept aggregated per unit and component as they arrive (ScoringData, counts.py),
sums stay integers until a figure is made, a figure is made again only when an
addition touched its counts, a component's score only when its inputs changed,
and a unit's score only when anything of it changed (a version number per unit
and per component says so).  Every cached value is a pure function of the
inputs that key it, so a refresh gives exactly what scoring from nothing gives.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import partial

from bot.campaign.schema import Campaign, Component, ComponentKind, Unit
from bot.scoring import stats
from bot.scoring.counts import ComponentCounts, ScoringData, UnitCounts, dec
from bot.scoring.flags import in_tail
from bot.scoring.panels import panel_checks
from bot.scoring.parts import pooled_figure, rectification_part
from bot.scoring.results import (
    CampaignScores,
    ComponentScore,
    Figure,
    Issues,
    Status,
    UnitScore,
)

PUBLISHED = Decimal("0.01")


def published(value: Fraction) -> Decimal:
    """A composite as published: two decimals, half up (ranks compare these)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        PUBLISHED, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class _Plan:
    """A campaign's rules as exact numbers, worked out once per refresh."""

    campaign: Campaign
    weights: dict[str, Fraction]
    applicable: dict[str, Fraction]  # unit id → Σ weights of the components covering it
    bonus_cap: Fraction
    talk_below: Fraction | None
    items: dict[str, tuple[str, ...]]  # survey component → its items, in order

    @classmethod
    def of(cls, campaign: Campaign) -> _Plan:
        """The plan of `campaign`."""
        weights = {c.id: Fraction(c.weight) for c in campaign.components}
        applicable = {
            unit.id: sum(
                (weights[c.id] for c in campaign.components if c.covers(unit)), Fraction(0)
            )
            for unit in campaign.units
        }
        talk = campaign.rules.talk
        return cls(
            campaign=campaign,
            weights=weights,
            applicable=applicable,
            bonus_cap=Fraction(campaign.rules.bonus_cap),
            talk_below=None if talk is None else Fraction(talk.satisfaction_below),
            items={
                c.id: tuple(i.id for i in campaign.questionnaire_for(c).items)
                for c in campaign.survey_components()
            },
        )


# A component's score: (its inputs, the score, its exact score, its exact points).
_Part = tuple[object, ComponentScore, Fraction | None, Fraction | None]


@dataclass
class UnitMemo:
    """A unit's last computed score and what it came from (to reuse what did not change)."""

    campaign: Campaign
    signature: tuple[object, ...]
    score: UnitScore
    composite: Fraction | None
    pooled: Fraction | None
    key: Decimal | None  # the published composite, which ranks compare
    parts: dict[str, _Part] = field(default_factory=dict)
    pooled_inputs: tuple[int, ...] = ()
    pooled_figure: Figure | None = None


def compute(
    campaign: Campaign,
    unit_ids: Mapping[str, int],
    data: ScoringData,
    computed_at: dt.datetime,
    memo: dict[int, UnitMemo] | None = None,
) -> CampaignScores:
    """Score every unit of `campaign`, then rank and flag them within their kind.

    With a `memo` (kept by the caller between refreshes), a unit whose counts and
    other inputs did not change reuses its last score, and a changed unit reuses
    the components whose inputs did not change; ranks and flags are always decided
    again over every unit.
    """
    plan = _Plan.of(campaign)
    memo = {} if memo is None else memo
    exact: dict[int, UnitMemo] = {}
    units: list[UnitScore] = []
    recomputed: set[int] = set()
    for unit in campaign.units:
        uid = unit_ids[unit.id]
        counts = data.units.get(uid)
        signature = _signature(plan, unit, uid, data, counts)
        kept = memo.get(uid)
        if kept is not None and kept.campaign is campaign and kept.signature == signature:
            kept.score = _unranked(kept.score)
        else:
            kept = _unit(plan, unit, uid, data, counts, kept, signature)
            recomputed.add(uid)
        kept.score.sanctions = data.sanctions.get(uid, ())  # decided again every refresh
        memo[uid] = exact[uid] = kept
        units.append(kept.score)
    averages = _rank(plan, units, exact)
    return CampaignScores(
        campaign_id=campaign.id,
        computed_at=computed_at,
        answers=data.answers(),
        kind_average={kind: dec(avg) or Decimal(0) for kind, avg in averages.items()},
        units=units,
        recomputed=recomputed,
    )


def _signature(
    plan: _Plan, unit: Unit, uid: int, data: ScoringData, counts: UnitCounts | None
) -> tuple[object, ...]:
    """Every input of a unit's score: its counts' version and the other tables' entries."""
    complaints = data.complaints.get(uid)
    return (
        0 if counts is None else counts.version,
        tuple(_inputs(c, uid, data, counts) for c in plan.campaign.components if c.covers(unit)),
        data.bonuses.get(uid, 0),
        tuple(sorted(complaints.items())) if complaints else (),
        data.overdue.get(uid, 0),
        data.findings.get(uid, 0),
        tuple(data.suggestions.get(uid, ())),
    )


def _inputs(comp: Component, uid: int, data: ScoringData, counts: UnitCounts | None) -> object:
    """What one component's score of a unit depends on."""
    if comp.kind is ComponentKind.SURVEY:
        found = None if counts is None else counts.components.get(comp.id)
        return 0 if found is None else found.version
    if comp.kind is ComponentKind.MANUAL:
        return tuple(data.marks.get((uid, comp.id), ()))
    if comp.kind is ComponentKind.RECTIFICATION:
        return tuple(sorted(data.rectification.get(uid, {}).items()))
    return data.deductions.get((uid, comp.id), (0, 0))


def _unranked(score: UnitScore) -> UnitScore:
    """A copy of a unit's score without its rank and flags (decided again)."""
    return dataclasses.replace(
        score, rank=None, ranked_in_kind=0, talk=False, no_excellence=False, award=False
    )


def _unit(
    plan: _Plan,
    unit: Unit,
    uid: int,
    data: ScoringData,
    counts: UnitCounts | None,
    kept: UnitMemo | None,
    signature: tuple[object, ...],
) -> UnitMemo:
    """One unit's components and composite, with its exact composite and satisfaction."""
    campaign = plan.campaign
    before = kept.parts if kept is not None and kept.campaign is campaign else {}
    parts: list[ComponentScore] = []
    points: list[Fraction | None] = []
    cache: dict[str, _Part] = {}
    surveyed: list[ComponentCounts | None] = []
    status = Status.RANKED
    for comp in campaign.components:
        if not comp.covers(unit):
            parts.append(
                ComponentScore(
                    component=comp.id, kind=comp.kind.value, weight=comp.weight, applies=False
                )
            )
            continue
        inputs = _inputs(comp, uid, data, counts)
        part = before.get(comp.id)
        if part is None or part[0] != inputs:
            part = _component(plan, comp, uid, data, counts, inputs)
        cache[comp.id] = part
        _, score, exact_score, contribution = part
        if comp.kind is ComponentKind.SURVEY:
            surveyed.append(None if counts is None else counts.components.get(comp.id))
        if not score.sufficient:  # a survey's or rectification's sample
            status = Status.INSUFFICIENT
        elif comp.kind is ComponentKind.MANUAL and exact_score is None and status is Status.RANKED:
            status = Status.INCOMPLETE
        parts.append(score)
        points.append(contribution)
    applicable = plan.applicable[unit.id]
    panels = panel_checks(campaign, unit, counts)
    if status is Status.RANKED and any(p.enforced and not p.met for p in panels):
        status = Status.PANEL
    base = None
    if applicable and all(p is not None for p in points):
        base = sum((p for p in points if p is not None), Fraction(0)) / applicable * 100
    given = Fraction(data.bonuses.get(uid, 0), 100)
    bonus = min(given, plan.bonus_cap)
    composite = None if base is None else base + bonus
    pooled_inputs = tuple(0 if c is None else c.version for c in surveyed)
    if kept is not None and kept.pooled_figure is not None and kept.pooled_inputs == pooled_inputs:
        overall, pooled = kept.pooled_figure, kept.pooled
    else:
        overall, pooled = pooled_figure(surveyed)
    result = UnitScore(
        unit_id=uid,
        code=unit.id,
        kind=unit.kind.value,
        components=parts,
        satisfaction=overall,
        applicable_weight=Decimal(applicable.numerator),
        base=dec(base),
        bonus_given=dec(given) or Decimal(0),
        bonus=dec(bonus) or Decimal(0),
        composite=dec(composite),
        status=status if composite is not None else _why(status),
        panels=panels,
        issues=Issues(
            complaints=dict(sorted(data.complaints.get(uid, {}).items())),
            overdue=data.overdue.get(uid, 0),
            findings=data.findings.get(uid, 0),
            suggestions=list(data.suggestions.get(uid, [])),
        ),
    )
    return UnitMemo(
        campaign=campaign,
        signature=signature,
        score=result,
        composite=composite,
        pooled=pooled,
        key=None if composite is None else published(composite),
        parts=cache,
        pooled_inputs=pooled_inputs,
        pooled_figure=overall,
    )


def _component(
    plan: _Plan,
    comp: Component,
    uid: int,
    data: ScoringData,
    counts: UnitCounts | None,
    inputs: object,
) -> _Part:
    """One applicable component of a unit: its score, exact score and exact points."""
    weight = plan.weights[comp.id]
    if comp.kind is ComponentKind.SURVEY:
        found = None if counts is None else counts.components.get(comp.id)
        part, score = _survey(plan, comp, found)
    elif comp.kind is ComponentKind.RECTIFICATION:
        part, score = rectification_part(plan.campaign, comp, data.rectification.get(uid, {}))
    elif comp.kind is ComponentKind.MANUAL:
        marks = data.marks.get((uid, comp.id), [])
        score = Fraction(sum(marks), 100 * len(marks)) if marks else None
        part = ComponentScore(
            component=comp.id,
            kind=comp.kind.value,
            weight=comp.weight,
            score=dec(score),
            marks=len(marks),
        )
    else:
        total, count = data.deductions.get((uid, comp.id), (0, 0))
        deducted = min(Fraction(total, 100), weight)
        score = (weight - deducted) / weight * 100
        part = ComponentScore(
            component=comp.id,
            kind=comp.kind.value,
            weight=comp.weight,
            score=dec(score),
            deducted=dec(deducted) or Decimal(0),
            findings=count,
        )
    contribution = None if score is None else weight * score / 100
    part.points = dec(contribution)
    return inputs, part, score, contribution


def _why(status: Status) -> Status:
    """The status of a unit without a composite (a survey with no answers is a sample issue)."""
    return Status.INCOMPLETE if status is Status.INCOMPLETE else Status.INSUFFICIENT


def _survey(
    plan: _Plan, comp: Component, counts: ComponentCounts | None
) -> tuple[ComponentScore, Fraction | None]:
    """A survey component of one unit: per item, per category, overall."""
    if counts is None:
        counts = ComponentCounts()
    score = stats.satisfaction(counts.overall)
    overall = counts.overall_figure()
    part = ComponentScore(
        component=comp.id,
        kind=comp.kind.value,
        weight=comp.weight,
        score=dec(score),
        overall=overall,
        items={i: counts.item_figure(i) for i in plan.items[comp.id] if i in counts.items},
        categories={c: counts.category_figure(c) for c in sorted(counts.categories)},
        sufficient=overall.people >= plan.campaign.rules.minimum_sample,
    )
    return part, score


def _rank(plan: _Plan, units: list[UnitScore], exact: dict[int, UnitMemo]) -> dict[str, Fraction]:
    """Ranks, flags and awards within each kind; returns each kind's average composite."""
    rules = plan.campaign.rules
    averages: dict[str, Fraction] = {}
    for kind in sorted({u.kind for u in units}):
        ranked = [u for u in units if u.kind == kind and u.status is Status.RANKED]
        if not ranked:
            continue
        keys = {u.unit_id: (not u.worst(), exact[u.unit_id].key or Decimal(0)) for u in ranked}
        ordered = sorted(keys.values())
        composites = [exact[u.unit_id].composite or Fraction(0) for u in ranked]
        average = sum(composites, Fraction(0)) / len(ranked)
        averages[kind] = average
        award = next((a for a in rules.awards if a.kind.value == kind), None)
        for u in ranked:
            key = keys[u.unit_id]
            higher = len(ordered) - bisect.bisect_right(ordered, key)
            lower = bisect.bisect_left(ordered, key)
            u.rank, u.ranked_in_kind = 1 + higher, len(ranked)
            tied = len(ordered) - higher - lower
            memo = exact[u.unit_id]
            talk, low = rules.talk, rules.no_excellence
            tail = partial(in_tail, u.rank, lower, tied, len(ranked))
            if talk is not None and tail(talk.bottom_group, talk.ties):
                assert plan.talk_below is not None
                u.talk = memo.pooled is not None and memo.pooled < plan.talk_below
            if low is not None and tail(low.ranked_low, low.ties):
                u.no_excellence = memo.composite is not None and memo.composite < average
            u.award = award is not None and u.rank <= award.count
            u.award = u.award and not (u.talk or u.no_excellence or u.sanctions)
    return averages
