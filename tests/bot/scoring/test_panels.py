"""Composition checked per unit's panel (seed 002 五(三)), worked by hand, without a database.

Changzhou: on-site appraisal (departments) needs mass + enterprise representatives to be
≥ 50 % of each bureau's panel.  wujin's panel: 3 mass-rep + 3 npc-deputy → 3/6 = 50 %,
met.  liyang's: 2 enterprise-rep + 4 npc-deputy → 2/6, broken.  Both panels together
(5/12) would break the rule; counted per panel, only liyang's does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.campaign.loader import load_campaigns
from bot.campaign.schema import Campaign
from bot.scoring.compute import compute
from bot.scoring.counts import ScoringData
from bot.scoring.results import Status, UnitScore

from .helpers import CAMPAIGNS, V

SHIPPED = load_campaigns(Path(CAMPAIGNS))["changzhou-2011-safety"]
IDS = {u.id: n for n, u in enumerate(SHIPPED.units, start=1)}
NOW = dt.datetime(2011, 9, 5, tzinfo=dt.UTC)
ITEMS = [i.id for i in SHIPPED.questionnaire.items]


def _data() -> ScoringData:
    data = ScoringData()
    panels = {
        "wujin": {"mass-rep": 3, "npc-deputy": 3},
        "liyang": {"enterprise-rep": 2, "npc-deputy": 4},
    }
    for code, people in panels.items():
        for category, n in people.items():
            for item in ITEMS:  # n questionnaires, every item very satisfied
                data.add_tally((IDS[code], "onsite", item, category, V), n)
        for item in ITEMS:  # 30 public questionnaires: above the minimum sample
            data.add_tally((IDS[code], "questionnaire", item, "public", V), 30)
    return data


def _scores(campaign: Campaign) -> dict[str, UnitScore]:
    return {u.code: u for u in compute(campaign, IDS, _data(), NOW).units}


def _with_mode(mode: str) -> Campaign:
    rules = SHIPPED.rules
    rule = rules.composition[0].model_copy(update={"mode": mode})
    return SHIPPED.model_copy(update={"rules": rules.model_copy(update={"composition": [rule]})})


def test_each_panel_is_checked_on_its_own() -> None:
    u = _scores(SHIPPED)  # the shipped file: mode shown
    [wujin], [liyang] = u["wujin"].panels, u["liyang"].panels
    assert (wujin.members, wujin.total, wujin.met) == (3, 6, True)
    assert (liyang.members, liyang.total, liyang.met) == (2, 6, False)
    assert u["changzhou-window"].panels == []  # on-site does not reach windows
    # shown: both are ranked all the same (100 on site, 100 questionnaire, 20 cases)
    assert (u["wujin"].status, u["liyang"].status) == (Status.RANKED, Status.RANKED)


def test_an_enforced_rule_keeps_the_unit_with_a_broken_panel_out_of_the_ranking() -> None:
    u = _scores(_with_mode("enforced"))
    assert u["wujin"].status is Status.RANKED and u["wujin"].rank == 1
    assert u["liyang"].status is Status.PANEL and u["liyang"].rank is None
    assert str(u["liyang"].composite) == "100.0000"  # its figures are still shown
