"""Evaluators in chat, end to end through aiogram and the local Bot API server."""

from __future__ import annotations

from bot.access.service import Role
from bot.i18n import t
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain

from .helpers import F, V, add_questionnaires, unit_id

CZ = "changzhou-2011-safety"
COMMANDS = (
    "/progress",
    "/ranking",
    "/score wujin",
    "/issues wujin",
    "/overdue",
    "/chart",
    "/export",
    "/mark wujin daily 80",
    "/bonus wujin 1 media",
    "/finding wujin 2 x",
)


async def test_commands_are_refused_without_the_role(app: BotApp) -> None:
    services = app.services
    await add_questionnaires(services, CZ, "wujin", "questionnaire", [V] * 5, 7)
    stranger = Citizen(app, 5001, "en")
    refusal = plain("en", "admin.denied")
    for command in COMMANDS:
        [reply] = await stranger.send(command)
        assert reply.plain_text == refusal, command
        assert reply.kind == "text"
    # Nothing was entered on their behalf.
    async with services.db.unit_of_work() as uow:
        assert not await services.access.has(uow, 5001, Role.EVALUATOR)
        assert await services.access.audit_log(uow) == []


async def test_evaluator_sees_ranking_score_chart_and_export(app: BotApp) -> None:
    services = app.services
    for code, level in (("wujin", V), ("liyang", F)):
        await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 30, "mass-rep")
        await add_questionnaires(
            services, CZ, code, "questionnaire", [level] * 5, 30, suggestion="办事大厅太挤"
        )
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5002, Role.EVALUATOR)
    await services.scoring.refresh(CZ, full=True)
    evaluator = Citizen(app, 5002, "en")

    [ranking, window_ranking] = await evaluator.send("/ranking", count=2)
    text = ranking.plain_text
    wujin = services.registry.campaigns[CZ].unit("wujin").name.get("en")
    # wujin: 30·1 + 50·1 + 20 = 100 → rank 1; liyang 24 + 40 + 20 = 84 → rank 2.
    assert f"1. {wujin} — 100.00" in text
    assert "windows" in window_ranking.plain_text

    [score] = await evaluator.send("/score wujin")
    assert "Composite: 100.00" in score.plain_text
    [ambiguous] = await evaluator.send("/issues Wujin District")
    assert ambiguous.plain_text.startswith("Several units match")
    [issues] = await evaluator.send("/issues Wujin District Administration")
    assert "办事大厅太挤" in issues.plain_text

    [mark] = await evaluator.send("/finding wujin 2 ledger missing")
    assert mark.plain_text.startswith("Finding recorded")
    await services.scoring.tick()
    async with services.db.unit_of_work() as uow:
        scores = await services.scoring.results(uow, CZ)
    assert scores is not None
    found = scores.unit(unit_id(services, CZ, "wujin"))
    assert found is not None and str(found.composite) == "98.0000"  # 20 − 2 deducted

    [bad] = await evaluator.send("/finding wujin 25 too much")
    assert bad.plain_text == plain(
        "en",
        "scoring.error.range",
        what=t("en", "scoring.what.points"),
        value="25",
        low="0.01",
        high="20",
    )

    [chart] = await evaluator.send("/chart")
    assert chart.kind == "photo"
    [export] = await evaluator.send("/export")
    assert export.kind == "document"
    [progress] = await evaluator.send("/progress")
    # A sample is people: 30 respondents of 5 items each show as 30 of 30 people, with
    # their 150 valid answers beside them.
    assert "30/30 people, 150 valid answers" in progress.plain_text
    [detail] = await evaluator.send("/score wujin")
    assert "30 people (minimum 30), 150 valid answers" in detail.plain_text
