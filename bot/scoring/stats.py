"""Satisfaction from level counts, exactly, and its confidence interval.

满意度 = Σ level scores of non-abstaining answers ÷ their count × 100 (002, 四).
`satisfaction` is the one place this is computed: the scorer, the reports and
the tests all call it.
Scores are kept as exact fractions (很满意 10/10, 比较满意 8/10, 基本满意 6/10,
不满意 0), so equal inputs give equal satisfactions and ties are real ties.

The interval: a Student-t interval on the mean level score,
mean ± t(0.975, n−1) · s/√n, clipped to [0, 100].  Why not Wilson: a unit's
satisfaction is the mean of a 0–1 score taking four values, not a proportion of
yes/no answers, so the binomial variance p(1−p)/n Wilson rests on does not hold
(it overstates the spread of a mostly-比较满意 unit).  Why not a bootstrap: the
t interval needs only Σx and Σx², which follow exactly from the per-level counts
the database aggregates, so it is exact, deterministic and costs nothing per
refresh; a bootstrap would need the answers themselves and random draws.  With
at least the minimum sample (30) the mean of a bounded score is close to normal.
One respondent's answers to the items of a questionnaire are correlated, so for a
figure pooled over items n is the number of people (respondents with a valid
answer), not of answers: the interval is then conservative (exact if a respondent
gave every item the same level) instead of too narrow.  For one item n is its valid answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cache
from statistics import NormalDist

from bot.campaign.schema import LEVEL_SCORES, Level

# Exact level scores; None abstains (不了解).
EXACT_SCORES: dict[str, Fraction | None] = {
    level.value: (None if score is None else Fraction(score))
    for level, score in LEVEL_SCORES.items()
}

TENTHS: dict[str, int] = {
    level: int(score * 10) for level, score in EXACT_SCORES.items() if score is not None
}

# t(0.975, df) for df = 1 … 30; beyond that the Cornish–Fisher expansion is
# accurate to 1e-4, far below the one decimal place we publish.
_T975 = (
    12.7062,
    4.3027,
    3.1824,
    2.7764,
    2.5706,
    2.4469,
    2.3646,
    2.3060,
    2.2622,
    2.2281,
    2.2010,
    2.1788,
    2.1604,
    2.1448,
    2.1314,
    2.1199,
    2.1098,
    2.1009,
    2.0930,
    2.0860,
    2.0796,
    2.0739,
    2.0687,
    2.0639,
    2.0595,
    2.0555,
    2.0518,
    2.0484,
    2.0452,
    2.0423,
)


@cache
def t_quantile_975(df: int) -> float:
    """The 97.5 % quantile of Student's t with `df` degrees of freedom (df ≥ 1)."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def valid_count(counts: Mapping[str, int]) -> int:
    """Answers in the denominator: every level but 不了解."""
    return sum(n for level, n in counts.items() if EXACT_SCORES.get(level) is not None)


def dont_know_count(counts: Mapping[str, int]) -> int:
    """不了解 answers: counted and shown, never in a denominator."""
    return counts.get(Level.DONT_KNOW.value, 0)


def satisfaction(counts: Mapping[str, int]) -> Fraction | None:
    """Σ scores ÷ valid answers × 100, exactly; None without a valid answer."""
    valid = 0
    tenths = 0  # Σ scores in tenths: 很满意 10, 比较满意 8, 基本满意 6, 不满意 0
    for level, n in counts.items():
        score = TENTHS.get(level)
        if score is not None:
            valid += n
            tenths += score * n
    if not valid:
        return None
    return Fraction(tenths * 10, valid)


def interval(counts: Mapping[str, int], sample: int) -> tuple[Decimal, Decimal] | None:
    """The 95 % t interval of satisfaction (percent), with `sample` independent observations.

    None when fewer than two observations make a spread meaningless.
    """
    valid = tenths = squares = 0  # Σx in tenths, Σx² in hundredths
    for level, n in counts.items():
        score = TENTHS.get(level)
        if score is not None:
            valid += n
            tenths += score * n
            squares += score * score * n
    n = min(sample, valid)
    if n < 2:
        return None
    mean = tenths / 10 / valid
    # Sample variance of the answers' scores (the n−1 correction on all answers).
    variance = max(0.0, (squares / 100 - valid * mean * mean) / (valid - 1))
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return _pct(max(0.0, mean - half)), _pct(min(1.0, mean + half))


def _pct(share: float) -> Decimal:
    """A 0–1 share as a percentage with four decimals (display rounds further)."""
    return Decimal(repr(round(share * 100, 4)))
