"""/start, /help, /language, /cancel, and what to say to anything else."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.survey.screens import Notice
from bot.telegram.common import keyboards, render
from bot.telegram.common.callbacks import ChooseLanguage
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.render import notice
from bot.telegram.common.replies import Answer
from bot.telegram.common.routing import Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("common")


@routes.command("start")
async def start(message: Incoming, services: Services, locale: str, uow: UnitOfWork) -> None:
    """Greet, show the privacy notice and the questionnaires open now."""
    name = message.first_name
    privacy = t(locale, "start.privacy", days=services.privacy.retention_days)
    lines = [t(locale, "start.greeting", name=name), "", privacy, ""]
    lines += open_questionnaires(services, locale)
    await uow.commit()  # the person is registered before we speak
    await answer(message, Answer("\n".join(lines), keyboards.start(locale)))
    if locale == "zh-Hant" and message.chat_id is not None:
        await message.responder.set_commands(message.chat_id, locale)


def open_questionnaires(services: Services, locale: str) -> list[str]:
    """Lines naming each questionnaire open today (admins' phase changes included)."""
    lines = [
        notice_line(campaign.name.get(locale), comp.name.get(locale), phase.end, locale)
        for campaign, comp, phase in services.survey.open_today()
    ]
    if not lines:
        return [t(locale, "start.none_open")]
    return [t(locale, "start.open_header"), *lines]


def notice_line(campaign: str, component: str, end: object, locale: str) -> str:
    """One "• campaign: component (until …)" line."""
    return notice(
        Notice("start.open_line", {"campaign": campaign, "component": component, "end": end}),
        locale,
    )


@routes.command("help")
async def help_(message: Incoming, locale: str) -> None:
    """What the bot can do."""
    await tell(message, t(locale, "help.text"))


@routes.command("language")
async def language(message: Incoming, locale: str) -> None:
    """Offer the three languages."""
    await answer(message, Answer(t(locale, "language.choose"), keyboards.languages()))


@routes.press(ChooseLanguage)
async def language_chosen(
    query: Incoming,
    callback_data: ChooseLanguage,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
) -> None:
    """Store the chosen language and confirm in it."""
    locale = callback_data.locale
    try:
        await services.people.choose_locale(uow, person.id, locale)
    except ValueError:
        await tell(query, t(person.locale, "common.stale"))
        return
    await answer(query, Answer(t(locale, "language.set")))
    await query.responder.set_commands(person.id, locale)


@routes.command("cancel")
async def cancel(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Leave the current conversation (a started questionnaire is kept)."""
    await answer(message, render.reply(await services.survey.cancel(uow, person.id), locale))
