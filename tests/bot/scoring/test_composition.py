"""The panel composition rule (002: 群众代表 + 企业代表 ≥ 50 % of the on-site panel)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.app.runtime import open_services
from bot.campaign.loader import load_campaign
from bot.core.clock import FixedClock
from bot.scoring.progress import Progress, composition_checks, progress
from storage.records import DraftRecord, RespondentRecord
from storage.repositories import RespondentRepo, SurveyRepo

CHANGZHOU = Path("survey_defs/changzhou-2011-safety.yaml")


def test_the_rule_is_met_at_exactly_half() -> None:
    campaign = load_campaign(CHANGZHOU)
    found = Progress(panel={"onsite": {"mass-rep": 2, "enterprise-rep": 1, "npc-deputy": 3}})
    (check,) = composition_checks(campaign, found)
    assert (check.members, check.total, check.met) == (3, 6, True)  # 3/6 = 50 % ≥ 50 %
    found.panel["onsite"]["cppcc-member"] = 1
    (check,) = composition_checks(campaign, found)
    assert (check.members, check.total, check.met) == (3, 7, False)  # 3/7 < 50 %
    assert not composition_checks(campaign, Progress())[0].met  # nobody yet: not met


async def test_progress_counts_the_panel_by_category(tmp_path: Path) -> None:
    clock = FixedClock.on_day(dt.date(2011, 8, 1))
    url = f"sqlite+aiosqlite:///{tmp_path}/panel.db"
    async with open_services(url, Path("survey_defs"), clock) as services:
        campaign = services.registry.campaigns["changzhou-2011-safety"]
        unit = services.registry.unit_id(campaign, campaign.unit("wujin"))
        now = clock.now()
        panel = [(1, "mass-rep"), (2, "enterprise-rep"), (3, "npc-deputy"), (4, "mass-rep")]
        async with services.db.unit_of_work() as uow:
            for rid, category in panel:
                RespondentRepo(uow).stage_seen(RespondentRecord(rid, "zh-Hans", False, now, now))
                draft = DraftRecord(rid, campaign.id, unit, "onsite", category)
                SurveyRepo(uow).stage_create(draft, now)
                if rid != 4:  # respondent 4 has not submitted: not on the panel yet
                    SurveyRepo(uow).stage_submit(draft, now)
            await uow.commit()
        async with services.db.unit_of_work() as uow:
            found = await progress(uow, campaign)
    assert found.panel == {"onsite": {"mass-rep": 1, "enterprise-rep": 1, "npc-deputy": 1}}
    (check,) = composition_checks(campaign, found)
    assert (check.members, check.total, check.met) == (2, 3, True)
