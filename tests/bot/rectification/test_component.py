"""A rectification component (campaign file `kind: rectification`): checked at load, and
scored from the public's verdicts by the survey's rules (bot/scoring/parts.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bot.campaign.loader import load_campaign
from bot.scoring.compute import compute
from bot.scoring.counts import ScoringData
from bot.scoring.results import Status
from storage.scoring import PEOPLE
from tests.bot.campaign.test_loader import edit, line_of, only_error, write

RECTIFICATION = """  - id: rectify
    kind: rectification
    weight: 20
    name: {zh-Hans: 整改满意度}
"""
# The deduction component's 20 % goes to the rectification component.
WITH_IT = edit(
    "  - id: cases\n    kind: deduction\n    weight: 20\n    name: {zh-Hans: 实例}\n", RECTIFICATION
)


def test_a_rectification_component_loads(tmp_path: Path) -> None:
    campaign = load_campaign(write(tmp_path, WITH_IT))
    assert campaign.component("rectify").kind.value == "rectification"
    assert [c.id for c in campaign.survey_components()] == ["onsite", "questionnaire"]


@pytest.mark.parametrize(
    ("extra", "message", "where", "field"),
    [
        ("    phase: survey\n", "no phase, no categories", "- id: rectify", "components.2"),
        ("    categories: [panel]\n", "no phase, no categories", "- id: rectify", "components.2"),
        (
            "    items:\n      - id: x\n        text: {zh-Hans: x}\n",
            "only a survey component has items",
            "items:",
            "components.2.items",
        ),
    ],
)
def test_what_a_rectification_component_may_not_have(
    tmp_path: Path, extra: str, message: str, where: str, field: str
) -> None:
    text = edit(
        "    name: {zh-Hans: 整改满意度}\n",
        "    name: {zh-Hans: 整改满意度}\n" + extra,
        text=WITH_IT,
    )
    error = only_error(write(tmp_path, text))
    assert message in error.message
    assert (error.line, error.field) == (line_of(text, where, text.count(where)), field)


def test_at_most_one_rectification_component(tmp_path: Path) -> None:
    second = RECTIFICATION.replace("rectify", "rectify2").replace("weight: 20", "weight: 10")
    text = edit("weight: 50", "weight: 40", text=WITH_IT)
    text = edit("phases:\n", second + "phases:\n", text=text)
    error = only_error(write(tmp_path, text))
    assert "at most one rectification component" in error.message
    assert error.field == "components"


def _scores(tmp_path: Path, verdicts: dict[str, int], minimum: int):
    """City rated 100 % in both surveys by `minimum` people; its rectification `verdicts`."""
    text = WITH_IT + f"rules:\n  minimum_sample: {minimum}\n"
    campaign = load_campaign(write(tmp_path, text))
    ids = {"city": 1, "district": 2}
    data = ScoringData()
    for comp in ("onsite", "questionnaire"):
        category = "panel" if comp == "onsite" else "public"
        data.add_tally((1, comp, "service", category, "very_satisfied"), minimum)
        data.add_tally((1, comp, PEOPLE, category, PEOPLE), minimum)
    data.rectification = {1: verdicts}
    scores = compute(campaign, ids, data, dt.datetime(2011, 9, 1, tzinfo=dt.UTC))
    unit = scores.unit(1)
    assert unit is not None
    return unit


def test_the_component_scores_the_verdicts_like_a_survey(tmp_path: Path) -> None:
    # 1.0 + 0.6 + 0 over three; 不了解 abstains: 53.33…; two people needed, three valid.
    verdicts = {"very_satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1, "dont_know": 4}
    unit = _scores(tmp_path, verdicts, minimum=2)
    part = next(c for c in unit.components if c.component == "rectify")
    assert part.score == Decimal("53.3333")
    assert part.overall is not None and (part.overall.people, part.overall.dont_know) == (3, 4)
    assert unit.status is Status.RANKED
    # 30 × 1 + 50 × 1 + 20 × 0.5333… = 90.67
    assert unit.composite == Decimal("90.6667")
    # The appraisal's satisfaction is the surveys' alone.
    assert unit.satisfaction.satisfaction == Decimal("100.0000")


def test_too_few_verdicts_leave_the_unit_unranked(tmp_path: Path) -> None:
    unit = _scores(tmp_path, {"very_satisfied": 1, "dont_know": 5}, minimum=2)
    part = next(c for c in unit.components if c.component == "rectify")
    assert not part.sufficient
    assert unit.status is Status.INSUFFICIENT and unit.rank is None
