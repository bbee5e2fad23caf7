"""/publish → /results end to end, through aiogram and the local Bot API server."""

from __future__ import annotations

from sqlalchemy import Connection, insert, update

from bot.access.service import Role
from storage.models import Answer, Publication, Respondent, Submission
from tests.bot.scoring.helpers import F, V, add_questionnaires
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, count_rows, plain, unit_id, unit_name, wait_until

CZ = "changzhou-2011-safety"
ITEMS = ("lawful-duty", "fair-enforcement", "open-government", "service", "integrity")
NOTICE_WAIT = 30.0  # the notice goes through the paced broadcaster


async def _dataset(app: BotApp) -> None:
    """wujin rated very satisfied, liyang fairly (both ranked), by people no longer reachable:
    only the simulated citizen below is told (the others are not chats of the local server)."""
    services = app.services
    ids: list[int] = []
    for code, level in (("wujin", V), ("liyang", F)):
        keys = await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 30, "mass-rep")
        keys += await add_questionnaires(services, CZ, code, "questionnaire", [level] * 5, 30)
        ids += [rid for rid, _, _ in keys]

    def inactive(conn: Connection) -> None:
        conn.execute(update(Respondent).where(Respondent.id.in_(ids)).values(active=False))

    await services.db.writer.run(inactive)


async def _rated(app: BotApp, person: int, code: str) -> None:
    """The person submitted a questionnaire about `code` (as the survey would store it)."""
    services = app.services
    uid, now = unit_id(services, code), services.clock.now()

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Submission).values(
                respondent_id=person,
                unit_id=uid,
                component="questionnaire",
                campaign_id=CZ,
                category="public",
                status="submitted",
                position=0,
                started_at=now,
                updated_at=now,
                submitted_at=now,
                voided=False,
            )
        )
        conn.execute(
            insert(Answer),
            [
                {
                    "respondent_id": person,
                    "unit_id": uid,
                    "component": "questionnaire",
                    "item": item,
                    "level": F,
                    "answered_at": now,
                }
                for item in ITEMS
            ],
        )

    await services.db.writer.run(write)


async def test_publish_then_results_own_units_first(app: BotApp) -> None:
    services = app.services
    await _dataset(app)
    admin, citizen = Citizen(app, 7001, "en"), Citizen(app, 7002, "en")
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, admin.id, Role.ADMIN)
    [none] = await citizen.send("/results")  # also registers the citizen
    assert none.plain_text == plain("en", "publish.results.none")
    await _rated(app, citizen.id, "liyang")

    [usage] = await admin.send("/publish")
    assert usage.plain_text.startswith("Send /publish CAMPAIGN")
    [preview] = await admin.send(f"/publish {CZ}")
    assert "publication No. 1?" in preview.plain_text
    [confirm, _cancel] = preview.callback_data()
    [done] = await admin.press(preview, confirm)
    assert done.plain_text.startswith("Publication No. 1 of")
    assert done.buttons == []  # the confirmation cannot be tapped twice
    assert await count_rows(services, Publication, campaign_id=CZ) == 1

    # Everyone who took part is told, once.
    notice = plain("en", "publish.notice", campaign=services.registry.campaigns[CZ].name.get("en"))
    await wait_until(
        lambda: any(m.plain_text == notice for m in citizen.user.messages),
        "the results notice",
        NOTICE_WAIT,
    )

    [ranking] = await citizen.send("/results")
    text = ranking.plain_text
    liyang, wujin = unit_name(services, "liyang", "en"), unit_name(services, "wujin", "en")
    # liyang (rank 2) is the citizen's own unit: listed first, starred.
    assert text.index(f"★ 2. {liyang}") < text.index(f"1. {wujin} — 100.00 points")
    assert "Publication No. 1 of" in text and "people" in text
    windows = next(data for row in ranking.buttons for label, data in row if label == "windows")
    [page] = await citizen.press(ranking, windows)
    assert "results for windows" in page.plain_text
    assert "★" not in page.plain_text

    # A correction needs a reason; with one, it is publication No. 2 and says why.
    [refused] = await admin.send(f"/publish {CZ}")
    assert refused.plain_text == plain("en", "publish.error.reason", campaign=CZ)
    [preview] = await admin.send(f"/publish {CZ} a batch was missed")
    assert "Reason for the correction: a batch was missed" in preview.plain_text
    await admin.press(preview, preview.callback_data()[0])
    [corrected] = await citizen.send("/results")
    assert "Publication No. 2" in corrected.plain_text
    assert "It corrects publication No. 1: a batch was missed" in corrected.plain_text
    notices = [m for m in citizen.user.messages if m.plain_text == notice]
    assert len(notices) == 1
