"""The tail of a ranking (排名靠后), worked by hand, and its properties (hypothesis).

Changzhou departments: onsite 30 %, questionnaire 50 %, cases 20 % (no findings here,
so 20 points each).  A unit answered with one level throughout scores
0.3·s + 0.5·s + 20 = 0.8·s + 20 (s = the level × 100): V 100, F 84, B 68, D 20.
约谈: the bottom 2 with satisfaction < 80 %; 不评优: the last 3, below the kind's average.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.campaign.loader import load_campaigns
from bot.campaign.schema import Campaign, TieRule
from bot.scoring import stats
from bot.scoring.compute import compute
from bot.scoring.counts import ScoringData
from bot.scoring.flags import in_tail, reasons
from bot.scoring.results import CampaignScores
from bot.telegram.common.render_evaluator import flags
from storage.scoring import PEOPLE

from .helpers import CAMPAIGNS, B, D, F, V

CZ = load_campaigns(Path(CAMPAIGNS))["changzhou-2011-safety"]
IDS = {u.id: n for n, u in enumerate(CZ.units, start=1)}
NOW = dt.datetime(2011, 9, 5, tzinfo=dt.UTC)
DEPARTMENTS = [u.id for u in CZ.units if u.kind.value == "department"]


def with_ties(campaign: Campaign, talk: TieRule, low: TieRule) -> Campaign:
    """`campaign` with the tie rules of its two flags replaced."""
    rules = campaign.rules
    assert rules.talk is not None and rules.no_excellence is not None
    changed = rules.model_copy(
        update={
            "talk": rules.talk.model_copy(update={"ties": talk}),
            "no_excellence": rules.no_excellence.model_copy(update={"ties": low}),
        }
    )
    return campaign.model_copy(update={"rules": changed})


def add_unit(data: ScoringData, code: str, counts: dict[str, dict[str, int]], people: int) -> None:
    """Answer counts per survey component (level → answers) and the people behind them."""
    uid = IDS[code]
    for comp, by_level in counts.items():
        for level, n in by_level.items():
            data.add_tally((uid, comp, "service", "public", level), n)
        data.add_tally((uid, comp, PEOPLE, "public", PEOPLE), people)


def score(campaign: Campaign, levels: dict[str, str]) -> CampaignScores:
    """Each unit answered by 30 people, one level throughout (one item each)."""
    data = ScoringData()
    for code, level in levels.items():
        add_unit(data, code, {"onsite": {level: 30}, "questionnaire": {level: 30}}, 30)
    return compute(campaign, IDS, data, NOW)


def flagged(scores: CampaignScores) -> tuple[set[str], set[str]]:
    """The units flagged 约谈 and 不评优."""
    talk = {u.code for u in scores.units if u.talk}
    return talk, {u.code for u in scores.units if u.no_excellence}


def test_a_tail_is_the_last_places_and_never_the_first_rank() -> None:
    # 5 ranked, bottom 2 (places 4–5).  Alone at place 5, or at 4: in.
    assert in_tail(5, 0, 1, 5, 2, "exclude") and in_tail(4, 1, 1, 5, 2, "exclude")
    # Tied at rank 3 (places 3–4), across the boundary: out, or in with include.
    assert not in_tail(3, 1, 2, 5, 2, "exclude") and in_tail(3, 1, 2, 5, 2, "include")
    # Tied at rank 4 (places 4–5), wholly inside: in either way.
    assert in_tail(4, 0, 2, 5, 2, "exclude")
    # Three tied first of four (places 1–3) over one last: never the first rank.
    assert not in_tail(1, 1, 3, 4, 2, "include")
    # A kind of one, or of exactly the group's size: no tail.
    assert not in_tail(1, 0, 1, 1, 2, "include") and not in_tail(2, 0, 1, 2, 2, "include")


@pytest.mark.parametrize("ties", ["include", "exclude"])
def test_units_sharing_the_first_rank_are_never_flagged(ties: TieRule) -> None:
    # The run: three of four tied first at 68 (B, satisfaction 60 % < 80 %) over
    # wujin at 20 (D, 0 %).  The three hold rank 1 → no flag; wujin, rank 4 of 4, is.
    campaign = with_ties(CZ, ties, ties)
    scores = score(campaign, {"liyang": B, "jintan": B, "xinbei": B, "wujin": D})
    ranks = {u.code: u.rank for u in scores.units if u.rank is not None}
    assert ranks == {"liyang": 1, "jintan": 1, "xinbei": 1, "wujin": 4}
    # average (3·68 + 20) / 4 = 56: wujin 20 is below.
    assert flagged(scores) == ({"wujin"}, {"wujin"})


@pytest.mark.parametrize(
    ("ties", "talk"),
    [("exclude", {"tianning"}), ("include", {"jintan", "wujin", "tianning"})],
)
def test_a_tie_across_the_boundary_follows_the_campaign_file(ties: TieRule, talk: set[str]) -> None:
    # liyang V 100 (rank 1), xinbei F 84 (2), jintan and wujin B 68 (rank 3, places 3–4),
    # tianning D 20 (5).  Bottom 2 = places 4–5: the 68s straddle the boundary.
    levels = {"liyang": V, "xinbei": F, "jintan": B, "wujin": B, "tianning": D}
    scores = score(with_ties(CZ, ties, ties), levels)
    # 不评优, last 3 = places 3–5: the 68s lie wholly inside, but the average is
    # (100 + 84 + 68 + 68 + 20) / 5 = 68 and 68 is not below it: tianning only.
    assert scores.kind_average["department"] == 68
    assert flagged(scores) == (talk, {"tianning"})


def test_a_kind_with_no_more_ranked_units_than_the_group_has_no_tail() -> None:
    # Only wujin is ranked among departments (D: 0 %, 20 points): rank 1 of 1, no flag.
    # Two windows, bottom group 2: no flag either, at 0 %.
    scores = score(CZ, {"wujin": D, "wujin-window": D, "xinbei-window": D})
    assert flagged(scores) == (set(), set())
    assert {u.code: (u.rank, u.ranked_in_kind) for u in scores.units if u.rank} == {
        "wujin": (1, 1),
        "wujin-window": (1, 2),
        "xinbei-window": (1, 2),
    }


def test_every_flag_says_why() -> None:
    levels = {"liyang": V, "xinbei": F, "jintan": B, "wujin": B, "tianning": D}
    scores = score(CZ, levels)
    tianning = next(u for u in scores.units if u.code == "tianning")
    assert [r.flag for r in reasons(CZ, scores, tianning)] == ["talk", "no_excellence"]
    assert flags(CZ, scores, tianning, "en") == [
        "talk with the head (约谈) (rank 5 of 5, in the bottom 2; satisfaction 0.0%, below 80%)",
        "not eligible for excellence (不评优) (rank 5 of 5, in the last 3; composite 20.00"
        " below the average of its kind, 68.00)",
    ]
    assert flags(CZ, scores, tianning, "zh-Hans")[0] == (
        "约谈(排名第 5/5 位,居后 2 位;满意度 0.0% 低于 80%)"
    )


# -- properties ------------------------------------------------------------------------

LEVELS = [V, F, B, D]
unit_st = st.tuples(
    st.dictionaries(st.sampled_from(LEVELS), st.integers(0, 40), min_size=1),
    st.dictionaries(st.sampled_from(LEVELS), st.integers(0, 40), min_size=1),
    st.integers(25, 35),  # people: some units fall below the minimum of 30
)
dataset_st = st.dictionaries(st.sampled_from(DEPARTMENTS), unit_st, min_size=1)
ties_st = st.sampled_from(["include", "exclude"])


def _oracle(
    campaign: Campaign, dataset: dict[str, tuple[dict[str, int], dict[str, int], int]]
) -> tuple[set[str], set[str]]:
    """The flags worked independently: exact figures, the tail by places."""
    rules = campaign.rules
    assert rules.talk is not None and rules.no_excellence is not None
    exact: dict[str, tuple[Fraction, Fraction]] = {}  # composite, pooled satisfaction
    for code, (onsite, quest, people) in dataset.items():
        if not campaign.component("onsite").covers(campaign.unit(code)):
            onsite = {}  # the city bureau: questionnaire and cases only, rescaled from 70
        s_on, s_q = stats.satisfaction(onsite), stats.satisfaction(quest)
        if people < campaign.rules.minimum_sample or s_q is None:
            continue
        pooled = stats.satisfaction({k: onsite.get(k, 0) + quest.get(k, 0) for k in LEVELS})
        assert pooled is not None
        if s_on is None and not onsite:
            composite = (Fraction(1, 2) * s_q + 20) / 70 * 100
        elif s_on is None:
            continue
        else:
            composite = Fraction(3, 10) * s_on + Fraction(1, 2) * s_q + 20
        exact[code] = (composite, pooled)
    if not exact:
        return set(), set()
    key = {c: _published(v[0]) for c, v in exact.items()}
    order = sorted(exact, key=lambda c: key[c], reverse=True)
    places = {c: [n + 1 for n, o in enumerate(order) if key[o] == key[c]] for c in exact}
    average = sum(v[0] for v in exact.values()) / len(exact)

    def tail(code: str, group: int, ties: str) -> bool:
        first, last = places[code][0], places[code][-1]
        start = len(exact) - group + 1  # the tail's first place
        if len(exact) <= group or first == 1:
            return False
        return first >= start or (ties == "include" and last >= start)

    talk = {
        c
        for c in exact
        if tail(c, rules.talk.bottom_group, rules.talk.ties)
        and exact[c][1] < rules.talk.satisfaction_below
    }
    low = {
        c
        for c in exact
        if tail(c, rules.no_excellence.ranked_low, rules.no_excellence.ties)
        and exact[c][0] < average
    }
    return talk, low


def _published(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@settings(max_examples=150, deadline=None)
@given(dataset_st, ties_st, ties_st)
def test_flags_equal_an_exact_oracle_and_never_touch_the_first_rank(
    dataset: dict[str, tuple[dict[str, int], dict[str, int], int]],
    talk_ties: TieRule,
    low_ties: TieRule,
) -> None:
    """Flags are decided on exact figures (published composites for ranks), never on the
    rounded ones shown: the oracle compares exact fractions, so a unit at 79.996 % is
    below 80 % however it is displayed.  And a unit sharing the first rank is never
    flagged, whatever the ties."""
    campaign = with_ties(CZ, talk_ties, low_ties)
    data = ScoringData()
    for code, (onsite, quest, people) in dataset.items():
        add_unit(data, code, {"onsite": onsite, "questionnaire": quest}, people)
    scores = compute(campaign, IDS, data, NOW)
    assert flagged(scores) == _oracle(campaign, dataset)
    for u in scores.units:
        if u.rank == 1:
            assert not (u.talk or u.no_excellence)


@settings(max_examples=60, deadline=None)
@given(dataset_st, st.integers(0, 4))
def test_display_rounding_never_changes_a_flag(
    dataset: dict[str, tuple[dict[str, int], dict[str, int], int]], places: int
) -> None:
    """The flags read back from a report rounded to any number of places are the flags
    decided: a reason's satisfaction is shown below its threshold even where rounding
    would reach it."""
    data = ScoringData()
    for code, (onsite, quest, people) in dataset.items():
        add_unit(data, code, {"onsite": onsite, "questionnaire": quest}, people)
    scores = compute(CZ, IDS, data, NOW)
    for u in scores.units:
        for r in reasons(CZ, scores, u):
            if r.flag == "talk":
                shown = Decimal(str(r.values["satisfaction"]).rstrip("%"))
                assert shown < 80
