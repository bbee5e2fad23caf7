"""/start with a unit's payload (a poster's QR code, a shared link): open that unit's
questionnaire or complaint form directly.  The payloads are bot/core/deeplinks.py's;
`/start group` and a bare /start stay with the greeting (routers/common.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.app.services import Services
from bot.core.deeplinks import RATE, parse
from bot.i18n import t
from bot.survey.entry import open_from_poster
from bot.telegram import render
from bot.telegram.chats import START_PAYLOAD
from bot.telegram.replies import answer, tell
from bot.telegram.routers.complaints import respond
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

router = Router(name="links")


@router.message(CommandStart(deep_link=True, magic=F.args != START_PAYLOAD))
async def start_with_link(
    message: Message,
    command: CommandObject,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """`/start r<unit>` rates the unit, `/start c<unit>` complains about it; else say so."""
    link = parse(command.args or "")
    await uow.commit()  # the person is registered before anything refers to them
    if link is None:
        await tell(message, t(locale, "reach.start.invalid"))
    elif link.action == RATE:
        reply = await open_from_poster(services.survey, uow, person.id, link.unit_id)
        await answer(message, render.reply(reply, locale))
    else:
        result = await services.complaints.begin_for(uow, person.id, link.unit_id)
        await respond(message, services, uow, result, locale)
