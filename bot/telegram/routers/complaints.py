"""Complaints in chat: /complain, /mycomplaints, /cases, the buttons, and relayed messages.

Handlers pass ids and text to `ComplaintService` and send what it returns: a
reply to the person acting, and deliveries to others (handlers, the centre, the
citizen), which go through the outbox (`Services.deliver`).  Evidence goes to
handlers by file_id with sendPhoto/sendDocument — never forwarded, so Telegram
shows no "forwarded from".

This router comes before the questionnaire's: its text and file handlers only
take messages while the person's stored conversation is in the complaint flow,
so the two never take each other's messages.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.app.services import Services
from bot.complaints.screens import Result
from bot.i18n import t
from bot.telegram import render_complaints
from bot.telegram.callbacks import ComplaintAction, ComplaintDraftAction
from bot.telegram.replies import Answer, answer, tell
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

router = Router(name="complaints")


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
    await respond(message, services, uow, await services.complaints.begin(uow, person.id), locale)


@router.message(Command("mycomplaints"))
async def my_complaints(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """The citizen's own complaints with status and due date."""
    await respond(message, services, uow, await services.complaints.mine(uow, person.id), locale)


@router.message(Command("cases"))
async def cases(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Open complaints of a handler's units (and, for the centre, those in triage)."""
    cards = await services.complaints.cases(uow, person.id)
    if not cards:
        await tell(message, t(locale, "complaint.no_cases"))
    for card in cards[:10]:
        text, markup = render_complaints.screen(card, locale)
        await answer(message, Answer(text, markup))


@router.message(Command("cancel"), in_complaint)
async def cancel(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Leave the complaint conversation; a draft is kept for /complain."""
    await respond(message, services, uow, await services.complaints.cancel(uow, person.id), locale)


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
    await respond(query, services, uow, result, locale)


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
    await respond(query, services, uow, result, locale)


@router.message(F.text, ~F.text.startswith("/"), in_complaint)
async def typed(
    message: Message, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Typed text in a complaint conversation: description, contact, answer, result …"""
    assert message.text is not None
    result = await services.complaints.text(uow, person.id, message.text)
    if result is not None:
        await respond(message, services, uow, result, locale)


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
        await respond(message, services, uow, result, locale)


@router.message(~F.text, in_complaint)
async def unsupported(message: Message, locale: str) -> None:
    """Video, voice, stickers … in a complaint conversation: say what is accepted."""
    await tell(message, t(locale, "complaint.bad.unsupported"))


# -- sending ----------------------------------------------------------------------------------


async def respond(
    event: Message | CallbackQuery,
    services: Services,
    uow: UnitOfWork,
    result: Result,
    locale: str,
) -> None:
    """Answer typed input or a press with the result (see replies.py), then deliver to others."""
    await answer(event, _rendered(result, locale))
    await services.deliver(uow, result.deliveries)


def _rendered(result: Result, locale: str) -> Answer:
    """The engine's result as an Answer: its screen, toast and notice rendered."""
    text, markup = None, None
    if result.screen is not None:
        text, markup = render_complaints.screen(result.screen, locale)
    toast = render_complaints.notice(result.toast, locale) if result.toast is not None else None
    also = render_complaints.notice(result.also, locale) if result.also is not None else None
    return Answer(text, markup, toast=toast, also=also, edit=result.edit)
