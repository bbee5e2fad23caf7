"""Inspectors (明查暗访) end to end through aiogram and the local Bot API server: a finding
with a photo, confirmed by an evaluator, feeds the deduction and reaches the unit's
handler without the inspector's identity; the unit answers; /issues lists it."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.access.service import Role
from bot.scoring.export import tables
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain, wait_until

from .helpers import F, V, add_questionnaires, unit_id

CZ = "changzhou-2011-safety"
INSPECTOR, EVALUATOR, HANDLER = 5501, 5502, 5503


async def test_a_finding_with_a_photo_through_confirmation_into_the_deduction(
    app: BotApp,
) -> None:
    services = app.services
    wujin = unit_id(services, CZ, "wujin")
    for code, level in (("wujin", V), ("liyang", F)):
        await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 6, "mass-rep")
        await add_questionnaires(services, CZ, code, "questionnaire", [level] * 5, 6)
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, INSPECTOR, Role.INSPECTOR)
        await services.access.grant(uow, None, EVALUATOR, Role.EVALUATOR)
        await services.access.grant(uow, None, HANDLER, Role.HANDLER, wujin)
    inspector, evaluator = Citizen(app, INSPECTOR, "en"), Citizen(app, EVALUATOR, "en")
    handler = Citizen(app, HANDLER, "en")
    [usage] = await handler.send("/corrected")  # the handler's chat exists from now on
    assert usage.plain_text == plain("en", "inspection.usage.corrected")

    caption = "/inspect wujin unannounced 2 nobody at the window at 10:00"
    [recorded] = await inspector._replies(inspector.user.send_photo(caption=caption), 1)
    assert recorded.plain_text == plain(
        "en",
        "inspection.recorded",
        id=1,
        unit=services.registry.campaigns[CZ].unit("wujin").name.get("en"),
    )
    [refused] = await inspector.send("/confirm 1")
    assert refused.plain_text == plain("en", "admin.denied")  # inspectors do not confirm
    [bad] = await inspector.send("/inspect wujin stroll 2 x")
    assert bad.plain_text == plain("en", "inspection.error.inspection_usage")

    before = app.api.delivered_count(HANDLER)
    [confirmed] = await evaluator.send("/confirm 1")
    assert confirmed.plain_text == plain("en", "inspection.confirmed", id=1)
    await wait_until(lambda: app.api.delivered_count(HANDLER) >= before + 2, "handed over")
    to_handler = [
        c
        for c in app.api.calls
        if c.chat_id == HANDLER and c.method in ("sendMessage", "sendPhoto")
    ][-2:]
    assert [c.method for c in to_handler] == ["sendMessage", "sendPhoto"]
    assert "nobody at the window at 10:00" in to_handler[0].params["text"]
    raw = json.dumps([c.params for c in to_handler], ensure_ascii=False)
    assert str(INSPECTOR) not in raw  # 集中交办 without the inspector's identity

    await services.scoring.refresh(CZ, full=True)
    async with services.db.unit_of_work() as uow:
        scores = await services.scoring.results(uow, CZ)
    found = scores.unit(wujin) if scores else None
    assert found is not None
    cases = found.component("cases")
    assert (str(cases.deducted), cases.findings) == ("2.0000", 1)
    assert str(found.composite) == "98.0000"  # 30 + 50 + (20 − 2)

    [done] = await handler.send("/corrected 1 the window is staffed from 8:30")
    assert done.plain_text == plain("en", "inspection.correction_recorded", id=1)
    [note] = await inspector.send("/inspect wujin media note queue reported by the evening paper")
    assert note.plain_text.startswith("Finding #2 recorded")
    [no_reason] = await evaluator.send("/reject 2")
    assert no_reason.plain_text == plain("en", "inspection.error.inspection_reason")
    [rejected] = await evaluator.send("/reject 2 already counted as finding 1")
    assert rejected.plain_text == plain("en", "inspection.rejected", id=2)

    [issues] = await evaluator.send("/issues Wujin District Administration")
    text = issues.plain_text
    assert "#1 unannounced visit (暗访) (confirmed, deduction 2): nobody at the window" in text
    assert "Corrected: the window is staffed from 8:30" in text
    assert "#2 media report (rejected, deduction —)" in text
    async with services.db.unit_of_work() as uow:
        log = await services.access.audit_log(uow)
    assert {(e.action, e.actor) for e in log if e.action.startswith("inspection")} == {
        ("inspection_confirmed", EVALUATOR),
        ("inspection_rejected", EVALUATOR),
    }
    async with services.db.unit_of_work() as uow:
        findings = await services.inspections.of_campaign(uow, CZ)
        scores = await services.scoring.results(uow, CZ)
    assert scores is not None
    *_, (sheet, _, rows) = tables(services.registry.campaigns[CZ], scores, "en", [], findings)
    assert sheet == plain("en", "scoring.sheet.findings")
    assert [(r[0], r[2], r[4], r[5], r[7], r[8]) for r in rows] == [
        (
            1,
            "unannounced visit (暗访)",
            Decimal(2),
            "confirmed",
            "the window is staffed from 8:30",
            1,
        ),
        (2, "media report", None, "rejected", "", 0),
    ]
