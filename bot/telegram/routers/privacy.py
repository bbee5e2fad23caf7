"""/mydata and /forget: a person's copy of their data, and erasing it after a confirmation.

Also the start-up hooks of the retention task (bot/privacy/service.py).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.app.services import Services
from bot.core.clock import CHINA
from bot.i18n import t
from bot.telegram.replies import Answer, answer
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

router = Router(name="privacy")
MYDATA_FILE = "pingyi-mydata.json"


class ForgetChoice(CallbackData, prefix="fg"):
    """The answer to "erase your data?": 1 erases, 0 keeps."""

    erase: int


def _confirm_keyboard(locale: str) -> InlineKeyboardMarkup:
    """Erase / keep, on one row."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(locale, "privacy.forget.yes"),
                    callback_data=ForgetChoice(erase=1).pack(),
                ),
                InlineKeyboardButton(
                    text=t(locale, "privacy.forget.no"),
                    callback_data=ForgetChoice(erase=0).pack(),
                ),
            ]
        ]
    )


@router.message(Command("mydata"))
async def my_data(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Send the person a JSON document with everything held about them."""
    await uow.commit()  # their own row, as of this update, is part of the answer
    document = await services.privacy.my_data(uow, person.id)
    at = services.now().astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    file = BufferedInputFile(document, filename=MYDATA_FILE)
    await answer(message, Answer(t(locale, "privacy.mydata.caption", at=at), document=file))


@router.message(Command("forget"))
async def forget_asked(message: Message, locale: str) -> None:
    """Say what erasing means and ask for a confirmation."""
    await answer(message, Answer(t(locale, "privacy.forget.ask"), _confirm_keyboard(locale)))


@router.callback_query(ForgetChoice.filter())
async def forget_answered(
    query: CallbackQuery,
    callback_data: ForgetChoice,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Erase on "yes" (the reply is in the language they used, which is erased too)."""
    if callback_data.erase:
        await services.privacy.forget(uow, person.id)
        text = t(locale, "privacy.forget.done")
    else:
        text = t(locale, "privacy.forget.kept")
    await answer(query, Answer(text))
