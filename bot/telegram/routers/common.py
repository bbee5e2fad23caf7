"""/start, /help, /language, /cancel, and what to say to anything else."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.app.services import Services
from bot.i18n import normalize_locale, t
from bot.survey.screens import Notice
from bot.telegram import keyboards, render
from bot.telegram.callbacks import ChooseLanguage
from bot.telegram.commands import set_chat_commands
from bot.telegram.render import notice
from bot.telegram.replies import Answer, answer, tell
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

router = Router(name="common")
log = logging.getLogger(__name__)


@router.message(CommandStart())
async def start(message: Message, services: Services, locale: str, uow: UnitOfWork) -> None:
    """Greet, show the privacy notice and the questionnaires open now."""
    name = message.from_user.first_name if message.from_user else ""
    privacy = t(locale, "start.privacy", days=services.privacy.retention_days)
    lines = [t(locale, "start.greeting", name=name), "", privacy, ""]
    lines += open_questionnaires(services, locale)
    await uow.commit()  # the person is registered before we speak
    await answer(message, Answer("\n".join(lines), keyboards.start(locale)))
    if locale == "zh-Hant" and message.bot is not None:
        await set_chat_commands(message.bot, message.chat.id, locale)


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


@router.message(Command("help"))
async def help_(message: Message, locale: str) -> None:
    """What the bot can do."""
    await tell(message, t(locale, "help.text"))


@router.message(Command("language"))
async def language(message: Message, locale: str) -> None:
    """Offer the three languages."""
    await answer(message, Answer(t(locale, "language.choose"), keyboards.languages()))


@router.callback_query(ChooseLanguage.filter())
async def language_chosen(
    query: CallbackQuery,
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
    if query.bot is not None:
        await set_chat_commands(query.bot, person.id, locale)


@router.message(Command("cancel"))
async def cancel(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Leave the current conversation (a started questionnaire is kept)."""
    await answer(message, render.reply(await services.survey.cancel(uow, person.id), locale))


@router.error()
async def on_error(event: ErrorEvent) -> bool:
    """Log, and tell the person their input is kept (never crash the bot)."""
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    source = update.callback_query or update.message
    if source is not None and source.from_user is not None:
        try:
            await tell(source, t(normalize_locale(source.from_user.language_code), "common.error"))
        except Exception:  # the error report itself must never raise
            log.warning("could not tell user %s about the error", source.from_user.id)
    return True
