"""回头看: a follow-up campaign shows, per unit, last round's rank and satisfaction and the
change — from the followed campaign's stored scores until it is published, then from its
latest publication — in the engine, /score and /ranking, the export, the snapshot and site."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.access.service import Role
from bot.app.services import Services
from bot.core.clock import FixedClock
from bot.i18n import t
from bot.publish.reports import reach_sheets
from bot.publish.site import published_pages
from bot.scoring.export import workbook_bytes
from storage.rectification import MeasureRow, RectificationRepo
from tests.bot.scoring.helpers import B, D, F, V, add_questionnaires, scoring_services
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen

from .helpers import CZ, FU, campaigns_with_followup

DAY = dt.date(2012, 8, 1)  # inside the follow-up's rating phase


@pytest.fixture
def campaigns_dir(tmp_path: Path) -> Path:
    """The bot loads the Changzhou seed and its follow-up."""
    return campaigns_with_followup(tmp_path / "campaigns")


@pytest.fixture
def clock() -> FixedClock:
    """The bot's clock on a day of the follow-up's rating phase."""
    return FixedClock.on_day(DAY)


async def _rounds(services: Services) -> None:
    """2011: changzhou-window 100 %, wujin-window 80 %, xinbei-window 60 % (ranks 1, 2, 3).
    2012: wujin-window 100 %, city-window (was changzhou-window) 80 %, xinbei-window 60 %,
    new-window 0 % (ranks 1, 2, 3, 4)."""
    for code, level in (("changzhou-window", V), ("wujin-window", F), ("xinbei-window", B)):
        await add_questionnaires(services, CZ, code, "questionnaire", [level] * 5, 30)
    for code, level in (
        ("wujin-window", V),
        ("city-window", F),
        ("xinbei-window", B),
        ("new-window", D),
    ):
        await add_questionnaires(services, FU, code, "window", [level] * 2, 3)
    await services.scoring.refresh(CZ, full=True)
    await services.scoring.refresh(FU, full=True)


async def test_last_round_comes_from_scores_then_from_the_publication(
    db_url: str, campaigns_dir: Path
) -> None:
    async with scoring_services(db_url, DAY, campaigns_dir) as services:
        await _rounds(services)
        async with services.db.unit_of_work() as uow:
            back = await services.publish.last_round(uow, FU)
            assert await services.publish.last_round(uow, CZ) is None  # follows nothing
        assert back is not None and (back.campaign_id, back.source, back.number) == (
            CZ,
            "scores",
            None,
        )
        city = back.change("city-window", 2, Decimal("80"))
        assert city is not None
        assert (city.last.code, city.last.rank, city.last.satisfaction) == (
            "changzhou-window",
            1,
            Decimal("100.0"),
        )
        assert (city.rank, city.satisfaction) == (-1, Decimal("-20.0"))
        wujin = back.change("wujin-window", 1, Decimal("100"))
        assert wujin is not None and (wujin.rank, wujin.satisfaction) == (1, Decimal("20.0"))
        assert back.change("new-window", 4, Decimal(0)) is None

        # Published last round: its publication is what counts, whatever the live scores do.
        async with services.db.unit_of_work() as uow:
            await services.publish.publish(uow, CZ, None)
        await add_questionnaires(services, CZ, "wujin-window", "questionnaire", [V] * 5, 300)
        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            back = await services.publish.last_round(uow, FU)
        assert back is not None and (back.source, back.number) == ("published", 1)
        wujin = back.change("wujin-window", 1, Decimal("100"))
        assert wujin is not None and wujin.last.rank == 2 and wujin.last.satisfaction == 80


async def test_the_followup_publication_and_site_show_last_round(
    db_url: str, campaigns_dir: Path
) -> None:
    async with scoring_services(db_url, DAY, campaigns_dir) as services:
        await _rounds(services)
        async with services.db.unit_of_work() as uow:
            await services.publish.publish(uow, CZ, None)
            published = await services.publish.publish(uow, FU, None)
            pages = await published_pages(services.publish, uow)
        snap = published.snapshot
        assert snap.looks_back is not None and snap.looks_back.source == "published"
        by_code = {u.code: u for u in snap.units}
        city = by_code["city-window"].last
        assert city is not None
        assert (city.code, city.rank, city.satisfaction) == ("changzhou-window", 1, "100.0")
        assert (city.rank_change, city.satisfaction_change) == ("↓1", "-20.0")
        xinbei = by_code["xinbei-window"].last
        assert xinbei is not None and (xinbei.rank_change, xinbei.satisfaction_change) == (
            "=",
            "±0.0",
        )
        assert by_code["new-window"].last is None

        page = pages[f"{FU}/en/city-window.html"]
        assert t("en", "reach.site.last") in page
        assert "ranked 1 of 3, satisfaction 100.0%; rank ↓1, satisfaction -20.0 points" in page
        assert "publication No. 1 of" in page
        # The unit's published time limits and complaint channel.
        assert "Service time limits" in page and "within 10 working days" in page
        assert 'href="tel:0519-12345678"' in page
        assert 'href="https://example.gov.cn/complaints"' in page
        assert t("en", "reach.site.last") not in pages[f"{FU}/en/new-window.html"]
        assert "Service time limits" not in pages[f"{FU}/en/wujin-window.html"]


async def test_the_export_has_a_lookback_sheet(db_url: str, campaigns_dir: Path) -> None:
    async with scoring_services(db_url, DAY, campaigns_dir) as services:
        await _rounds(services)
        campaign = services.registry.campaigns[FU]
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, FU)
            assert scores is not None
            more = await reach_sheets(services.publish, uow, campaign, scores, "en")
        book = load_workbook(io.BytesIO(workbook_bytes(campaign, scores, "en", more=more)))
        rows = list(book[t("en", "reach.sheet.lookback")].values)
        header, body = rows[0], {row[0]: row for row in rows[1:]}
        assert header[:3] == ("Unit", "Last round's unit", "Last rank")
        city = body[campaign.unit("city-window").name.get("en")]
        assert city[1:9] == ("changzhou-window", 1, 3, 100, 2, 80, -1, -20)
        new = body[campaign.unit("new-window").name.get("en")]
        assert new[1:5] == (None, None, None, None) and new[5] == 4


async def test_score_and_ranking_in_chat_show_the_change(app: BotApp) -> None:
    services = app.services
    await _rounds(services)
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 6001, Role.EVALUATOR)
    evaluator = Citizen(app, 6001, "en")
    [score] = await evaluator.send(f"/score {FU}/city-window")
    text = score.plain_text
    name = services.registry.campaigns[CZ].name.get("en")
    assert (
        f"Looking back ({name}): last round ranked 1 of 3, satisfaction 100.0%; "
        "rank change ↓1, satisfaction change -20.0 points"
    ) in text
    assert "latest scores of" in text and "(not published)" in text
    [ranking] = await evaluator.send(f"/ranking {FU}")
    lines = ranking.plain_text.splitlines()
    wujin = services.registry.campaigns[FU].unit("wujin-window").name.get("en")
    line = next(line for line in lines if wujin in line)
    assert line.endswith("· last round ranked 2 of 3, 80.0% (↑1, +20.0)")


async def _last_round_plan(services: Services) -> None:
    """2011's plan for wujin-window, approved: one measure done, one never reported done."""
    wujin = services.registry.unit_ids[(CZ, "wujin-window")]
    now = services.clock.now()
    async with services.db.unit_of_work() as uow:
        repo = RectificationRepo(uow)
        plan = await repo.create(CZ, wujin, ["queues", "opening hours"], 0, 1, now)
        measures = [
            MeasureRow(0, "queues", "a second counter", dt.date(2011, 10, 1), done_on=DAY),
            MeasureRow(1, "opening hours", "open on Saturdays", dt.date(2011, 11, 1)),
        ]
        assert await repo.save_draft(plan, measures, None, None)
        assert await repo.move(plan, ("draft",), "submitted", 1, now)
        assert await repo.move(plan, ("submitted",), "approved", 2, now, "fine")
        await uow.commit()


async def test_last_rounds_unfinished_measures_reach_the_new_round(app: BotApp) -> None:
    """回头看: the unfinished measure is in the new round's draft and in /score; the done
    one and the units that are new or not followed carry nothing."""
    services = app.services
    await _rounds(services)
    await _last_round_plan(services)
    registry = services.registry
    fu = registry.campaigns[FU]
    async with services.db.unit_of_work() as uow:
        new_wujin = registry.unit_ids[(FU, "wujin-window")]
        left = await services.rectification.carried_over(uow, fu, new_wujin)
        assert [m.measure for m in left] == ["open on Saturdays"]
        for code in ("new-window", "city-window"):
            assert (
                await services.rectification.carried_over(uow, fu, registry.unit_ids[(FU, code)])
                == []
            )
        assert (
            await services.rectification.carried_over(
                uow, registry.campaigns[CZ], registry.unit_ids[(CZ, "wujin-window")]
            )
            == []
        )  # 2011 follows nothing
        draft = await services.rectification.open(uow, 1, new_wujin, "en")
    assert any("open on Saturdays" in m.problem for m in draft.measures)
    assert not any("second counter" in m.problem for m in draft.measures)
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 6001, Role.EVALUATOR)
    evaluator = Citizen(app, 6001, "en")
    [score] = await evaluator.send(f"/score {FU}/wujin-window")
    assert "Last round's unfinished rectification measures (look back), 1:" in score.plain_text
    assert "• open on Saturdays (was due 2011-11-01)" in score.plain_text
