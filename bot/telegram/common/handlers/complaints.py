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

from bot.app.services import Services
from bot.complaints.screens import Result
from bot.i18n import t
from bot.telegram.common import render_complaints
from bot.telegram.common.callbacks import ComplaintAction, ComplaintDraftAction
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.replies import Answer
from bot.telegram.common.routing import Routes, Skip
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("complaints")


async def in_complaint(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord
) -> bool:
    """True while the person's conversation is in the complaint flow."""
    return await services.complaints.in_flow(uow, person.id)


@routes.command("complain")
async def complain(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Start or resume the citizen's complaint draft."""
    await respond(message, services, uow, await services.complaints.begin(uow, person.id), locale)


@routes.command("mycomplaints")
async def my_complaints(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """The citizen's own complaints with status and due date."""
    await respond(message, services, uow, await services.complaints.mine(uow, person.id), locale)


@routes.command("cases")
async def cases(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Open complaints of a handler's units (and, for the centre, those in triage)."""
    cards = await services.complaints.cases(uow, person.id)
    if not cards:
        await tell(message, t(locale, "complaint.no_cases"))
    for card in cards[:10]:
        text, markup = render_complaints.screen(card, locale)
        await answer(message, Answer(text, markup))


@routes.command("cancel", when=in_complaint)
async def cancel(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Leave the complaint conversation; a draft is kept for /complain."""
    await respond(message, services, uow, await services.complaints.cancel(uow, person.id), locale)


@routes.press(ComplaintDraftAction)
async def draft_button(
    query: Incoming,
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


@routes.press(ComplaintAction)
async def complaint_button(
    query: Incoming,
    callback_data: ComplaintAction,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """A button on a complaint: checked against who pressed it, where."""
    cb, chat_id = callback_data, query.chat_id
    result = await services.complaints.act(uow, person.id, chat_id, cb.ref, cb.action, cb.arg)
    await respond(query, services, uow, result, locale)


@routes.messages("text", when=in_complaint)
async def typed(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Typed text in a complaint conversation: description, contact, answer, result …"""
    assert message.text is not None
    result = await services.complaints.text(uow, person.id, message.text)
    if result is not None:
        await respond(message, services, uow, result, locale)


@routes.messages("file", when=in_complaint)
async def evidence(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """A photo or document as evidence (the largest size of a photo is kept)."""
    if not message.attachments:  # a sticker, voice … : the next route says what is accepted
        raise Skip
    file = message.attachments[0]
    result = await services.complaints.media(
        uow, person.id, file.kind, file.file_id, file.mime_type, file.size
    )
    if result is not None:
        await respond(message, services, uow, result, locale)


@routes.messages("file", "other", when=in_complaint)
async def unsupported(message: Incoming, locale: str) -> None:
    """Video, voice, stickers … in a complaint conversation: say what is accepted."""
    await tell(message, t(locale, "complaint.bad.unsupported"))


# -- sending ----------------------------------------------------------------------------------


async def respond(
    event: Incoming,
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
