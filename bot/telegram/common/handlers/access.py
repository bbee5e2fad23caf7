"""/code: redeem an invitation or handler code."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.telegram.common.incoming import Incoming, tell
from bot.telegram.common.routing import Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("access")


@routes.command("code")
async def redeem_code(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Bind a single-use code to this account and say what it granted."""
    if not message.args:
        await tell(message, t(locale, "code.usage"))
        return
    await uow.commit()  # the person's row must exist before a membership refers to it
    result = await services.access.redeem(uow, person.id, message.args)
    if result.refusal is not None:
        await tell(message, t(locale, f"code.refused.{result.refusal}"))
        return
    if result.category is not None and result.campaign_id is not None:
        services.survey.forget_category(person.id, result.campaign_id)
        campaign = services.registry.campaigns.get(result.campaign_id)
        category = (
            next((c for c in campaign.categories if c.id == result.category), None)
            if campaign
            else None
        )
        name = category.name.get(locale) if category else result.category
        await tell(message, t(locale, "code.category", category=name))
    elif result.role is not None:
        found = services.registry.unit(result.unit_id) if result.unit_id else None
        unit = found[1].name.get(locale) if found else ""
        await tell(message, t(locale, f"code.role.{result.role.value}", unit=unit))
