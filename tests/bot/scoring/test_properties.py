"""Property tests of the scorer's arithmetic (hypothesis), without a database."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.campaign.loader import load_campaigns
from bot.campaign.schema import LEVEL_SCORES, Level
from bot.scoring import stats
from bot.scoring.compute import UnitMemo, compute
from bot.scoring.counts import ScoringData, dec

from .helpers import CAMPAIGNS, B, D, F, K, V

LEVELS = [V, F, B, D, K]
counts_st = st.dictionaries(st.sampled_from(LEVELS), st.integers(0, 200))
CAMPAIGN = load_campaigns(Path(CAMPAIGNS))["changzhou-2011-safety"]
IDS = {u.id: n for n, u in enumerate(CAMPAIGN.units, start=1)}
NOW = dt.datetime(2011, 9, 5, tzinfo=dt.UTC)


@given(counts_st)
def test_satisfaction_is_the_mean_score_of_the_valid_answers(counts: dict[str, int]) -> None:
    """DOMAIN.md's definition, from the campaign schema's level scores: Σ score ÷ count × 100
    over the answers that are not 不了解."""
    scored = [(LEVEL_SCORES[Level(level)], n) for level, n in counts.items()]
    valid = sum(n for score, n in scored if score is not None)
    total = sum(Fraction(str(score)) * n for score, n in scored if score is not None)
    expected = total / valid * 100 if valid else None
    assert stats.satisfaction(counts) == expected


@given(counts_st)
def test_dont_know_never_changes_satisfaction(counts: dict[str, int]) -> None:
    more = Counter(counts)
    more[K] += 1
    assert stats.satisfaction(more) == stats.satisfaction(counts)


@given(counts_st)
def test_very_satisfied_never_lowers_satisfaction(counts: dict[str, int]) -> None:
    before = stats.satisfaction(counts)
    more = Counter(counts)
    more[V] += 1
    after = stats.satisfaction(more)
    assert after is not None
    assert before is None or after >= before


@given(counts_st, st.integers(2, 300))
def test_interval_contains_the_satisfaction(counts: dict[str, int], sample: int) -> None:
    found = stats.interval(counts, sample)
    value = stats.satisfaction(counts)
    if found is not None and value is not None:
        low, high = found
        assert Decimal(0) <= low <= high <= Decimal(100)
        assert low - Decimal("0.0001") <= Decimal(float(value)) <= high + Decimal("0.0001")


answers_st = st.lists(
    st.tuples(
        st.sampled_from(sorted(IDS)),
        st.sampled_from(["onsite", "questionnaire"]),
        st.sampled_from([i.id for i in CAMPAIGN.questionnaire.items]),
        st.sampled_from(["public", "mass-rep"]),
        st.sampled_from(LEVELS),
    ),
    max_size=400,
)


def _data(
    answers: list[tuple[str, str, str, str, str]], bonus: dict[str, int], findings: dict[str, int]
) -> ScoringData:
    data = ScoringData()
    for code, comp, item, cat, level in answers:
        data.add_tally((IDS[code], comp, item, cat, level), 1)
    data.bonuses = {IDS[c]: p for c, p in bonus.items()}
    data.deductions = {(IDS[c], "cases"): (p, 1) for c, p in findings.items()}
    return data


@settings(max_examples=60, deadline=None)
@given(
    answers_st,
    st.dictionaries(st.sampled_from(sorted(IDS)), st.integers(1, 1000)),
    st.dictionaries(st.sampled_from(sorted(IDS)), st.integers(1, 5000)),
    st.randoms(use_true_random=False),
)
def test_composite_bounds_and_order_independence(
    answers: list[tuple[str, str, str, str, str]],
    bonus: dict[str, int],
    findings: dict[str, int],
    rnd: random.Random,
) -> None:
    first = compute(CAMPAIGN, IDS, _data(answers, bonus, findings), NOW)
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    second = compute(CAMPAIGN, IDS, _data(shuffled, bonus, findings), NOW)
    assert first == second  # the order answers arrived in does not matter
    cap = CAMPAIGN.rules.bonus_cap
    for unit in first.units:
        # The published satisfaction is the one function's, rounded to four places.
        pooled = unit.satisfaction
        assert pooled.satisfaction == dec(stats.satisfaction(pooled.counts))
        if unit.composite is not None:
            assert Decimal(0) <= unit.composite <= Decimal(100) + cap
        cases = unit.component("cases")
        assert cases.points is not None and Decimal(0) <= cases.points <= cases.weight


@settings(max_examples=60, deadline=None)
@given(
    answers_st,
    answers_st,
    st.dictionaries(st.sampled_from(sorted(IDS)), st.integers(1, 1000)),
    st.dictionaries(st.sampled_from(sorted(IDS)), st.integers(1, 5000)),
)
def test_refreshing_with_a_memo_equals_scoring_from_nothing(
    first: list[tuple[str, str, str, str, str]],
    later: list[tuple[str, str, str, str, str]],
    bonus: dict[str, int],
    findings: dict[str, int],
) -> None:
    """Counts added to a scored dataset, and a bonus given, then scored again with the
    memo of the first scoring: every figure equals scoring everything from nothing."""
    memo: dict[int, UnitMemo] = {}
    data = _data(first, {}, findings)
    compute(CAMPAIGN, IDS, data, NOW, memo)
    for code, comp, item, cat, level in later:
        data.add_tally((IDS[code], comp, item, cat, level), 1)
    data.bonuses = {IDS[c]: p for c, p in bonus.items()}
    again = compute(CAMPAIGN, IDS, data, NOW, memo)
    fresh = compute(CAMPAIGN, IDS, _data(first + later, bonus, findings), NOW)
    assert again.units == fresh.units
    assert again.kind_average == fresh.kind_average and again.answers == fresh.answers
    touched = {IDS[code] for code, *_ in later} | {IDS[c] for c in bonus}
    assert again.recomputed == touched  # and nothing else was scored again
