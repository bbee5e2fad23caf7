"""Which units a component covers, why a unit has no figure, and the order of /ranking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from bot.campaign.loader import load_campaigns
from bot.campaign.schema import Campaign, Component
from bot.cli.scoring import score_table
from bot.scoring.compute import compute
from bot.scoring.counts import ScoringData
from bot.scoring.flags import status_text
from bot.telegram.common.render_evaluator import ranking, score
from storage.scoring import PEOPLE

from .helpers import CAMPAIGNS, F, V

CAMPAIGNS_ = load_campaigns(Path(CAMPAIGNS))
CZ = CAMPAIGNS_["changzhou-2011-safety"]
NT = CAMPAIGNS_["nantong-2012-efficiency"]
NOW = dt.datetime(2011, 9, 5, tzinfo=dt.UTC)


def ids(campaign: Campaign) -> dict[str, int]:
    """Unit ids as the registry would number them."""
    return {u.id: n for n, u in enumerate(campaign.units, start=1)}


def answered(campaign: Campaign, people: dict[tuple[str, str], tuple[str, int]]) -> ScoringData:
    """(unit, component) → (level, people), each person giving one answer."""
    data = ScoringData()
    numbers = ids(campaign)
    for (code, comp), (level, n) in people.items():
        data.add_tally((numbers[code], comp, "service", "public", level), n)
        data.add_tally((numbers[code], comp, PEOPLE, "public", PEOPLE), n)
    return data


def test_the_on_site_appraisal_does_not_reach_the_city_bureau() -> None:
    # Seed 002 五(三): the on-site appraisal is of the 辖市(区) bureaus.
    onsite = CZ.component("onsite")
    covered = {u.id for u in CZ.units_for(onsite)}
    assert "changzhou" not in covered
    assert covered == {u.id for u in CZ.units if u.kind.value == "department"} - {"changzhou"}


def test_a_component_names_its_units_or_excludes_some() -> None:
    base = CZ.component("questionnaire")
    only = Component.model_validate({**base.model_dump(by_alias=True), "units": ["wujin"]})
    assert [u.id for u in CZ.units_for(only)] == ["wujin"]
    raw = CZ.model_dump(by_alias=True, mode="json")
    raw["components"][0]["exclude_units"] = ["nowhere"]
    with pytest.raises(ValidationError, match="unit 'nowhere' is not a unit"):
        Campaign.model_validate(raw)


def test_a_report_says_why_a_unit_has_no_figure() -> None:
    # liyang: 30 people on both components → ranked.  wujin: questionnaire 6 people →
    # "6 of 30".  The city bureau: 30 people on the questionnaire, no onsite (not covered,
    # so never "insufficient" for it) → ranked on 70 % of the weights, rescaled.
    data = answered(
        CZ,
        {
            ("liyang", "onsite"): (F, 30),
            ("liyang", "questionnaire"): (F, 30),
            ("wujin", "onsite"): (V, 30),
            ("wujin", "questionnaire"): (V, 6),
            ("changzhou", "questionnaire"): (V, 30),
        },
    )
    scores = compute(CZ, ids(CZ), data, NOW)
    u = {x.code: x for x in scores.units}
    assert status_text(CZ, u["wujin"], "en") == (
        "insufficient sample — Questionnaire survey: 6 of 30 people"
    )
    assert status_text(CZ, u["changzhou"], "en") == "ranked"
    # (0.5·100 + 20) / 70 · 100 = 100; liyang 0.3·80 + 0.5·80 + 20 = 84.
    assert (u["changzhou"].composite, u["changzhou"].rank) == (100, 1)
    lines = score(CZ, scores, u["changzhou"], "en")
    assert "• On-site appraisal: not covered (this component does not appraise this unit)" in lines
    assert any("weigh 70%; its composite is rescaled" in line for line in lines)
    # /ranking: ranked units in rank order, then the unranked with their reason.
    text = ranking(CZ, scores, "department", "en")
    names = {x.id: x.name.get("en") for x in CZ.units}
    first, second, title = text[1], text[2], text[3]
    assert first.startswith(f"1. {names['changzhou']}")
    assert second.startswith(f"2. {names['liyang']}")
    assert title == "Not ranked:"
    [wujin] = [line for line in text[4:] if f"— {names['wujin']} — " in line]
    assert wujin.endswith("insufficient sample — Questionnaire survey: 6 of 30 people")
    # The other departments, with no answers at all, are unranked too, after the title.
    assert sum("On-site appraisal: 0 of 30 people" in line for line in text[4:]) == 5


def test_the_command_line_table_shows_people_and_valid_answers() -> None:
    data = answered(CZ, {("changzhou", "questionnaire"): (V, 30)})
    scores = compute(CZ, ids(CZ), data, NOW)
    services = SimpleNamespace(registry=SimpleNamespace(campaigns={CZ.id: CZ}))
    lines = score_table(services, scores, "en")  # type: ignore[arg-type]
    assert any("people  valid" in line for line in lines)
    [bureau] = [line for line in lines if CZ.unit("changzhou").name.get("en") in line]
    assert bureau.split()[4:6] == ["30", "30"]  # 30 people, 30 valid answers


def test_awaiting_marks_is_said_per_component() -> None:
    data = answered(
        NT,
        {
            (code, comp): (V, 30)
            for comp in ("midyear", "interpellation", "social")
            for code in ("eia",)
        },
    )
    scores = compute(NT, ids(NT), data, NOW)
    eia = next(x for x in scores.units if x.code == "eia")
    assert status_text(NT, eia, "en") == "awaiting marks — Daily assessment"
    assert status_text(NT, eia, "zh-Hans") == "待录入考评分——日常考评"
