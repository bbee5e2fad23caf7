"""/mydata and /forget: a person's copy of their data, and erasing it after a confirmation.

Also the start-up hooks of the retention task (bot/privacy/service.py).
"""

from __future__ import annotations

from bot.app.services import Services
from bot.core.clock import CHINA
from bot.i18n import t
from bot.telegram.common.codec import CallbackData
from bot.telegram.common.incoming import Incoming, answer
from bot.telegram.common.markup import Button, Keyboard
from bot.telegram.common.replies import Answer, Upload
from bot.telegram.common.routing import Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("privacy")
MYDATA_FILE = "pingyi-mydata.json"


class ForgetChoice(CallbackData, prefix="fg"):
    """The answer to "erase your data?": 1 erases, 0 keeps."""

    erase: int


def _confirm_keyboard(locale: str) -> Keyboard:
    """Erase / keep, on one row."""
    return Keyboard(
        inline_keyboard=[
            [
                Button(
                    text=t(locale, "privacy.forget.yes"),
                    callback_data=ForgetChoice(erase=1).pack(),
                ),
                Button(
                    text=t(locale, "privacy.forget.no"),
                    callback_data=ForgetChoice(erase=0).pack(),
                ),
            ]
        ]
    )


@routes.command("mydata")
async def my_data(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Send the person a JSON document with everything held about them."""
    await uow.commit()  # their own row, as of this update, is part of the answer
    document = await services.privacy.my_data(uow, person.id)
    at = services.now().astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    file = Upload(MYDATA_FILE, document)
    await answer(message, Answer(t(locale, "privacy.mydata.caption", at=at), document=file))


@routes.command("forget")
async def forget_asked(message: Incoming, locale: str) -> None:
    """Say what erasing means and ask for a confirmation."""
    await answer(message, Answer(t(locale, "privacy.forget.ask"), _confirm_keyboard(locale)))


@routes.press(ForgetChoice)
async def forget_answered(
    query: Incoming,
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
