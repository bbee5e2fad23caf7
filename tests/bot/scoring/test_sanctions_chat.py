"""/sanction end to end through aiogram and the local Bot API server: an evaluator
places the best unit last with a reason, reports show it, only an admin revokes it."""

from __future__ import annotations

from bot.access.service import Role
from bot.scoring.export import tables
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain

from .helpers import F, V, add_questionnaires

CZ = "changzhou-2011-safety"


async def test_sanction_places_the_best_unit_last_until_an_admin_revokes_it(app: BotApp) -> None:
    services = app.services
    for code, level in (("wujin", V), ("liyang", F)):
        await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 6, "mass-rep")
        await add_questionnaires(services, CZ, code, "questionnaire", [level] * 5, 6)
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5102, Role.EVALUATOR)
        await services.access.grant(uow, None, 5103, Role.ADMIN)
    await services.scoring.refresh(CZ, full=True)
    evaluator, admin = Citizen(app, 5102, "en"), Citizen(app, 5103, "en")
    campaign = services.registry.campaigns[CZ]
    wujin, liyang = (campaign.unit(c).name.get("en") for c in ("wujin", "liyang"))

    [usage] = await evaluator.send("/sanction wujin worst")
    assert usage.plain_text == plain("en", "sanction.usage.impose")
    [done] = await evaluator.send("/sanction wujin worst canvassing <b>votes</b>")
    assert done.plain_text.startswith("Sanction #1 recorded")
    assert "<b>votes</b>" in done.plain_text  # typed text shown back as text, not markup
    await services.scoring.tick()

    [ranking, _] = await evaluator.send("/ranking", count=2)
    lines = ranking.plain_text.splitlines()
    # wujin scores 100 and liyang 84, but wujin is sanctioned worst: 1. liyang, 2. wujin.
    assert any(line.startswith(f"1. {liyang} — 84.00") for line in lines)
    [last] = [line for line in lines if line.startswith(f"2. {wujin} — 100.00")]
    assert "placed last (直接列为最差单位) (reason: canvassing <b>votes</b>)" in last
    [score] = await evaluator.send("/score wujin")
    assert "reason: canvassing <b>votes</b>" in score.plain_text
    async with services.db.unit_of_work() as uow:
        scores = await services.scoring.results(uow, CZ)
    assert scores is not None
    [(_, headers, rows), *_] = tables(campaign, scores, "en", [])
    column = headers.index(plain("en", "scoring.col.sanction"))
    by_unit = {row[2]: row[column] for row in rows}
    assert by_unit[wujin] == "#1 placed last (直接列为最差单位): canvassing <b>votes</b>"
    assert by_unit[liyang] == ""

    [refused] = await evaluator.send("/sanction revoke 1 reviewed")
    assert refused.plain_text == plain("en", "admin.denied")
    [revoked] = await admin.send("/sanction revoke 1 not substantiated on review")
    assert revoked.plain_text.startswith("Sanction #1 revoked")
    [again] = await admin.send("/sanction revoke 1 twice")
    assert again.plain_text == plain("en", "sanction.error.sanction_unknown", sanction="1")
    await services.scoring.tick()
    [ranking, _] = await evaluator.send("/ranking", count=2)
    assert f"1. {wujin} — 100.00" in ranking.plain_text
    assert "placed last" not in ranking.plain_text
