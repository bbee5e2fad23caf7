"""/suspicious naming no campaign is answered (found by the fuzz test: the command
matched nothing and the bot said nothing)."""

from __future__ import annotations

from bot.access.service import Role

from .conftest import BotApp
from .helpers import Citizen, plain


async def test_suspicious_with_an_unknown_campaign_says_so(app: BotApp) -> None:
    services = app.services
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 5101, Role.EVALUATOR)
    evaluator = Citizen(app, 5101, "en")
    [reply] = await evaluator.send("/suspicious <b>nosuch</b>")
    assert reply.plain_text == plain("en", "admin.suspicious.unknown", campaign="<b>nosuch</b>")
