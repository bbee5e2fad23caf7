"""Panels per unit (seed 002 五(三)), end to end through the bot: a category code bound to
one unit's panel (or a few) lets its holder rate only those units on the panel-only
component, while the public questionnaire still offers every unit."""

from __future__ import annotations

import csv
import io

from bot.access.service import Role
from bot.survey.screens import Notice
from bot.telegram.common.callbacks import PickCampaign
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain, unit_buttons, unit_id, unit_name

CZ = "changzhou-2011-safety"


async def _codes(app: BotApp, admin: Citizen, spec: str, count: int) -> list[str]:
    """Issue codes through the admin's /codes; the codes of the CSV it sends back."""
    [document] = await admin.send(f"/codes {spec} {count}")
    assert document.file_id is not None
    stored = app.api.files.get(document.file_id)
    assert stored is not None
    rows = list(csv.DictReader(io.StringIO(stored.data.decode("utf-8-sig"))))
    return [row["code"] for row in rows]


async def test_panel_bound_codes_restrict_the_unit_picker(app: BotApp) -> None:
    services = app.services
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5301, Role.ADMIN)
    admin = Citizen(app, 5301, "en")
    [wujin_code] = await _codes(app, admin, "mass-rep@wujin", 1)
    [two_code] = await _codes(app, admin, f"{CZ}/enterprise-rep@wujin,liyang", 1)
    [usage] = await admin.send("/codes mass-rep@nowhere 1")
    assert usage.plain_text == plain("en", "admin.codes.usage")

    rep, rep2 = Citizen(app, 5302, "en"), Citizen(app, 5303, "en")
    await rep.send(f"/code {wujin_code}")
    await rep2.send(f"/code {two_code}")
    onsite = PickCampaign(campaign=CZ, comp="onsite").pack()
    questionnaire = PickCampaign(campaign=CZ, comp="questionnaire").pack()

    [choice] = await rep.send("/survey")
    [picker] = await rep.press(choice, onsite)
    assert unit_buttons(picker) == [unit_name(services, "wujin", "en")]
    [picker2] = await rep2.press((await rep2.send("/survey"))[0], onsite)
    assert sorted(unit_buttons(picker2)) == sorted(
        unit_name(services, code, "en") for code in ("wujin", "liyang")
    )
    # A unit of another panel (a stale or forged button: the chat offers none) is refused.
    async with services.db.unit_of_work() as uow:
        reply = await services.survey.pick_unit(uow, rep.id, unit_id(services, "xinbei"), "onsite")
    assert isinstance(reply.screen, Notice) and reply.screen.key == "survey.not_on_panel"
    # The public questionnaire is not a panel's: every unit is offered.
    [choice] = await rep.send("/survey")
    [public] = await rep.press(choice, questionnaire)
    assert len(unit_buttons(public)) > 1
