"""/start with a unit's payload (a poster's QR code, a shared link): open that unit's
questionnaire or complaint form directly.  The payloads are bot/core/deeplinks.py's;
`/start group` and a bare /start stay with the greeting (handlers/common.py)."""

from __future__ import annotations

from bot.app.services import Services
from bot.core.deeplinks import RATE, parse
from bot.i18n import t
from bot.survey.entry import open_from_poster
from bot.telegram.common import render
from bot.telegram.common.chats import START_PAYLOAD
from bot.telegram.common.handlers.complaints import respond
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.routing import Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("links")


async def _a_link(message: Incoming) -> bool:
    """/start with a payload other than the way back from a group."""
    return (message.args or "").strip() != START_PAYLOAD


@routes.command("start", has_args=True, when=_a_link)
async def start_with_link(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """`/start r<unit>` rates the unit, `/start c<unit>` complains about it; else say so."""
    link = parse((message.args or "").strip())
    await uow.commit()  # the person is registered before anything refers to them
    if link is None:
        await tell(message, t(locale, "reach.start.invalid"))
    elif link.action == RATE:
        reply = await open_from_poster(services.survey, uow, person.id, link.unit_id)
        await answer(message, render.reply(reply, locale))
    else:
        result = await services.complaints.begin_for(uow, person.id, link.unit_id)
        await respond(message, services, uow, result, locale)
