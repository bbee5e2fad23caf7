"""/sanction end to end through aiogram and the local Bot API server: an evaluator
places the best unit last with a reason, reports show it, only an admin revokes it."""

from __future__ import annotations

from bot.access.service import Role
from bot.scoring.export import tables
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain

from .helpers import F, V, add_questionnaires, unit_id

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


async def test_unseat_ends_the_seat_closes_the_panel_and_voids_on_request(app: BotApp) -> None:
    services = app.services
    # Two mass representatives answered on site about wujin (5 items each).
    keys = await add_questionnaires(services, CZ, "wujin", "onsite", [V] * 5, 2, "mass-rep")
    kept_rid, voided_rid = keys[0][0], keys[1][0]
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5202, Role.EVALUATOR)
        codes = await services.access.issue_codes(uow, 7, 2, category="mass-rep", campaign_id=CZ)
    for rid, code in zip((kept_rid, voided_rid), codes, strict=True):
        await Citizen(app, rid, "en").send(f"/code {code}")
    evaluator = Citizen(app, 5202, "en")
    wujin = unit_id(services, CZ, "wujin")

    async def onsite_valid() -> int:
        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, CZ)
        found = scores.unit(wujin) if scores else None
        assert found is not None and found.component("onsite").overall is not None
        return found.component("onsite").overall.valid

    assert await onsite_valid() == 10
    [usage] = await evaluator.send(f"/unseat {kept_rid} maybe canvassing")
    assert usage.plain_text == plain("en", "sanction.usage.unseat")
    [kept] = await evaluator.send(f"/unseat {kept_rid} keep took gifts from the bureau")
    assert kept.plain_text == plain(
        "en", "sanction.unseat.keep", user=kept_rid, category="Citizens' representative", count=0
    )
    [voided] = await evaluator.send(f"/unseat {CZ} {voided_rid} void ballot stuffing")
    assert "1 questionnaire of theirs voided" in voided.plain_text
    [again] = await evaluator.send(f"/unseat {voided_rid} void twice")
    assert again.plain_text == plain("en", "sanction.unseat.no_seat", user=voided_rid)
    assert await onsite_valid() == 5  # the kept representative's 5 answers still count
    # The panel-only on-site component is closed to both: only the public questionnaire.
    for rid in (kept_rid, voided_rid):
        async with services.db.unit_of_work() as uow:
            reply = await services.survey.begin(uow, rid)
        assert type(reply.screen).__name__ == "UnitChoice"
    async with services.db.unit_of_work() as uow:
        log = [e for e in await services.access.audit_log(uow) if e.action == "seat_withdrawn"]
    assert sorted((e.reason, e.details["voided"]) for e in log) == [
        ("ballot stuffing", 1),
        ("took gifts from the bureau", 0),
    ]


async def test_progress_and_score_check_each_units_panel(app: BotApp) -> None:
    services = app.services
    await add_questionnaires(services, CZ, "wujin", "onsite", [V] * 5, 3, "mass-rep")
    await add_questionnaires(services, CZ, "wujin", "onsite", [V] * 5, 1, "npc-deputy")
    await add_questionnaires(services, CZ, "liyang", "onsite", [V] * 5, 1, "enterprise-rep")
    await add_questionnaires(services, CZ, "liyang", "onsite", [V] * 5, 3, "npc-deputy")
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5402, Role.EVALUATOR)
    await services.scoring.refresh(CZ, full=True)
    evaluator = Citizen(app, 5402, "en")
    campaign = services.registry.campaigns[CZ]
    wujin, liyang = (campaign.unit(c).name.get("en") for c in ("wujin", "liyang"))
    replies = await evaluator.send("/progress")
    text = "\n".join(r.plain_text for r in replies)
    # Together 4 of 8 = 50 % (met); per panel: wujin 3 of 4, liyang 1 of 4 (broken).
    assert f"✅ {wujin}: 75.0% (3 of 4)" in text
    assert f"⚠️ {liyang}: 25.0% (1 of 4)" in text
    [score] = await evaluator.send("/score liyang")
    assert "make up 25.0% (1 of 4); at least 50% required" in score.plain_text
