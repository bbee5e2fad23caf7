"""Complaints in chat: /complain, /mycomplaints, /cases, the buttons, and relayed messages.

Handlers pass ids and text to `ComplaintService` and send what it returns: a
reply to the person acting, and deliveries to others (handlers, the centre, the
citizen).  Evidence goes to handlers by file_id with sendPhoto/sendDocument —
never forwarded, so Telegram shows no "forwarded from".

This router comes before the questionnaire's: its text and file handlers only
take messages while the person's stored conversation is in the complaint flow,
so the two never take each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bot.app.services import Services
from bot.complaints.screens import Delivery, Result
from bot.i18n import t
from bot.telegram import render_complaints
from bot.telegram.callbacks import ComplaintAction, ComplaintDraftAction
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

router = Router(name="complaints")
log = logging.getLogger(__name__)

NOTICE_INTERVAL = 60.0  # seconds between looks for due reminders and escalations
TASK_KEY = "complaint_notices"


async def in_complaint(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord
) -> bool:
    """True while the person's conversation is in the complaint flow."""
    return await services.complaints.in_flow(uow, person.id)


@router.message(Command("complain"))
async def complain(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Start or resume the citizen's complaint draft."""
    await answer(message, services, uow, await services.complaints.begin(uow, person.id), locale)


@router.message(Command("mycomplaints"))
async def my_complaints(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """The citizen's own complaints with status and due date."""
    await answer(message, services, uow, await services.complaints.mine(uow, person.id), locale)


@router.message(Command("cases"))
async def cases(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Open complaints of a handler's units (and, for the centre, those in triage)."""
    cards = await services.complaints.cases(uow, person.id)
    if not cards:
        await message.answer(t(locale, "complaint.no_cases"))
    for card in cards[:10]:
        text, markup = render_complaints.screen(card, locale)
        await message.answer(text, reply_markup=markup)


@router.message(Command("cancel"), in_complaint)
async def cancel(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Leave the complaint conversation; a draft is kept for /complain."""
    await answer(message, services, uow, await services.complaints.cancel(uow, person.id), locale)


@router.callback_query(ComplaintDraftAction.filter())
async def draft_button(
    query: CallbackQuery,
    callback_data: ComplaintDraftAction,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """A button of the citizen's draft."""
    cb = callback_data
    result = await services.complaints.draft_action(uow, person.id, cb.action, cb.arg, cb.campaign)
    await answer_press(query, services, uow, result, locale)


@router.callback_query(ComplaintAction.filter())
async def complaint_button(
    query: CallbackQuery,
    callback_data: ComplaintAction,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """A button on a complaint: checked against who pressed it, where."""
    cb, message = callback_data, query.message
    chat_id = message.chat.id if message is not None else None
    result = await services.complaints.act(uow, person.id, chat_id, cb.ref, cb.action, cb.arg)
    await answer_press(query, services, uow, result, locale)


@router.message(F.text, ~F.text.startswith("/"), in_complaint)
async def typed(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Typed text in a complaint conversation: description, contact, answer, result …"""
    assert message.text is not None
    result = await services.complaints.text(uow, person.id, message.text)
    if result is not None:
        await answer(message, services, uow, result, locale)


@router.message(F.photo | F.document, in_complaint)
async def evidence(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """A photo or document as evidence (the largest size of a photo is kept)."""
    complaints = services.complaints
    if message.photo:
        photo = message.photo[-1]
        result = await complaints.media(
            uow, person.id, "photo", photo.file_id, "image/jpeg", photo.file_size
        )
    else:
        assert message.document is not None
        doc = message.document
        result = await complaints.media(
            uow, person.id, "document", doc.file_id, doc.mime_type, doc.file_size
        )
    if result is not None:
        await answer(message, services, uow, result, locale)


@router.message(~F.text, in_complaint)
async def unsupported(message: Message, locale: str) -> None:
    """Video, voice, stickers … in a complaint conversation: say what is accepted."""
    await message.answer(t(locale, "complaint.bad.unsupported"))


# -- sending ----------------------------------------------------------------------------------


async def answer(
    message: Message, services: Services, uow: UnitOfWork, result: Result, locale: str
) -> None:
    """Reply to a typed message, then deliver to others."""
    if result.also is not None:
        await message.answer(render_complaints.notice(result.also, locale))
    shown = result.screen if result.screen is not None else result.toast
    if shown is not None:
        text, markup = render_complaints.screen(shown, locale)
        await message.answer(text, reply_markup=markup)
    if message.bot is not None:
        await deliver(message.bot, services, uow, result.deliveries)


async def answer_press(
    query: CallbackQuery, services: Services, uow: UnitOfWork, result: Result, locale: str
) -> None:
    """Answer a button press (edit its message or send anew), close the spinner, deliver."""
    message = query.message
    usable = isinstance(message, Message) and not isinstance(message, InaccessibleMessage)
    if result.also is not None and isinstance(message, Message):
        await message.answer(render_complaints.notice(result.also, locale))
    if result.screen is not None:
        text, markup = render_complaints.screen(result.screen, locale)
        if result.edit and isinstance(message, Message) and usable:
            with contextlib.suppress(TelegramBadRequest):  # "message is not modified"
                await message.edit_text(text, reply_markup=markup)
        elif isinstance(message, Message):
            await message.answer(text, reply_markup=markup)
        elif query.bot is not None:
            await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
    toast = render_complaints.notice(result.toast, locale) if result.toast is not None else None
    await query.answer(toast[:200] if toast else None)
    if query.bot is not None:
        await deliver(query.bot, services, uow, result.deliveries)


async def deliver(
    bot: Bot, services: Services, uow: UnitOfWork, deliveries: list[Delivery]
) -> None:
    """Send each delivery in its recipient's language, then its files by file_id.

    A recipient who blocked the bot does not stop the others; the log names the
    kind of message, never a person.
    """
    for item in deliveries:
        person = await services.people.get(uow, item.chat_id) if item.chat_id > 0 else None
        locale = person.locale if person is not None else services.default_locale
        text, markup = render_complaints.screen(item.screen, locale)
        try:
            await bot.send_message(item.chat_id, text, reply_markup=markup)
            for n, attachment in enumerate(item.attachments, start=1):
                caption = t(
                    locale, "complaint.attachment_caption", index=n, total=len(item.attachments)
                )
                if attachment.kind == "photo":
                    await bot.send_photo(item.chat_id, attachment.file_id, caption=caption)
                else:
                    await bot.send_document(item.chat_id, attachment.file_id, caption=caption)
        except TelegramAPIError as exc:
            log.warning("could not deliver a %s: %s", type(item.screen).__name__, exc)


# -- the reminder and escalation task -------------------------------------------------------


async def send_due_notices(bot: Bot, services: Services) -> int:
    """Claim and send the reminders and escalations due now; how many messages."""
    async with services.db.unit_of_work() as uow:
        deliveries = await services.complaints.due_notices(uow)
        await deliver(bot, services, uow, deliveries)
    return len(deliveries)


async def _notice_loop(bot: Bot, services: Services, interval: float) -> None:
    """Look for due notices every `interval` seconds until cancelled; never crash."""
    while True:
        try:
            await send_due_notices(bot, services)
        except Exception:  # a failed round is retried at the next
            log.exception("complaint reminders: round failed")
        await asyncio.sleep(interval)


async def start_notices(bot: Bot, dispatcher: Dispatcher, services: Services) -> None:
    """Start-up hook: run the reminder/escalation task beside polling."""
    interval = float(dispatcher.workflow_data.get("complaint_notice_interval", NOTICE_INTERVAL))
    dispatcher[TASK_KEY] = asyncio.create_task(_notice_loop(bot, services, interval))


async def stop_notices(dispatcher: Dispatcher) -> None:
    """Shutdown hook: stop the task."""
    task: asyncio.Task[None] | None = dispatcher.workflow_data.pop(TASK_KEY, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
