"""The questionnaire in chat: /survey, the buttons, typed text and edited text.

Every handler hands ids to `SurveyService` and sends back what it returns; the
flow itself (and its diagram) lives in `bot/survey/service.py` and `flow.py`.

Edited messages: Telegram sends an edit as its own update.  An edit of the
person's latest message, while the questionnaire still waits for typed text
(the unit search or the suggestion), is taken as that text typed anew — e.g. a
suggestion refused as too long, then shortened by editing it.  Any other edit
(of an older message, of a command, after the step moved on, in the complaint
flow, after a restart) is not read, and the person is told so: nothing is
changed silently and nothing is silently ignored.
"""

from __future__ import annotations

import dataclasses

from bot.app.services import Services
from bot.i18n import t
from bot.survey.screens import Notice, Question
from bot.telegram.common import render
from bot.telegram.common.callbacks import (
    AnswerItem,
    Navigate,
    PickCampaign,
    PickUnit,
    StartSurvey,
    UnitsPage,
)
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.routing import Routes, Skip
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("survey")
# Typed text and files are routed after the complaint and broadcast-compose routers (which
# take them only from people in those conversations), while the questionnaire's buttons —
# the hot path — are matched first: hence two route lists.
text_routes = Routes("survey_text")
USE_BUTTONS = Notice("survey.use_buttons")  # the engine's answer to text at a button step


@routes.command("survey")
async def survey(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Resume an unfinished questionnaire, or offer what is open."""
    reply = await services.survey.resume(uow, person.id) or await services.survey.begin(
        uow, person.id
    )
    await answer(message, render.reply(reply, locale))


@routes.press(AnswerItem)
async def answer_item(
    query: Incoming,
    callback_data: AnswerItem,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """One of the five levels: stored (committed) before the next question is sent."""
    cb = callback_data
    reply = await services.survey.answer(uow, person.id, cb.unit, cb.comp, cb.item, cb.level)
    await answer(query, render.reply(reply, locale))


@routes.press(StartSurvey)
async def start_survey(
    query: Incoming,
    callback_data: StartSurvey,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """ "Start rating" (greeting) or "rate another unit" (after a submission)."""
    if callback_data.campaign:
        reply = await services.survey.unit_page(
            uow, person.id, callback_data.campaign, callback_data.comp, 0, edit=False
        )
    else:
        reply = await services.survey.resume(uow, person.id) or await services.survey.begin(
            uow, person.id
        )
    await answer(query, render.reply(reply, locale))


@routes.press(PickCampaign)
async def pick_campaign(
    query: Incoming,
    callback_data: PickCampaign,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """A campaign × component from the list of open questionnaires."""
    reply = await services.survey.unit_page(
        uow, person.id, callback_data.campaign, callback_data.comp, 0
    )
    await answer(query, render.reply(reply, locale))


@routes.press(UnitsPage)
async def units_page(
    query: Incoming,
    callback_data: UnitsPage,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Turn a page of the unit picker (keeping a typed filter)."""
    conv = await services.survey.conversation(uow, person.id)
    query_text = conv.data.get("query") if conv.step == "choose_unit" else None
    reply = await services.survey.unit_page(
        uow, person.id, callback_data.campaign, callback_data.comp, callback_data.page, query_text
    )
    await answer(query, render.reply(reply, locale))


@routes.press(PickUnit)
async def pick_unit(
    query: Incoming,
    callback_data: PickUnit,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Start or resume the questionnaire about the chosen unit."""
    reply = await services.survey.pick_unit(uow, person.id, callback_data.unit, callback_data.comp)
    await answer(query, render.reply(reply, locale))


@routes.press(Navigate)
async def navigate(
    query: Incoming,
    callback_data: Navigate,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """back / skip / edit / submit."""
    cb, survey_ = callback_data, services.survey
    if cb.action == "back":
        reply = await survey_.back(uow, person.id, cb.unit, cb.comp)
    elif cb.action == "skip":
        reply = await survey_.skip(uow, person.id, cb.unit, cb.comp)
    elif cb.action == "edit":
        reply = await survey_.edit(uow, person.id, cb.unit, cb.comp, cb.index)
    elif cb.action == "submit":
        reply = await survey_.submit(uow, person.id, cb.unit, cb.comp)
    else:  # forged, or from a newer version of the bot
        await tell(query, t(locale, "common.stale"))
        return
    await answer(query, render.reply(reply, locale))


@text_routes.messages("text")
async def typed_text(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Typed text inside a questionnaire: a filter, the suggestion, or a re-prompt."""
    assert message.text is not None
    reply = await services.survey.text(uow, person.id, message.text)
    if reply is None:
        await tell(message, t(locale, "common.unknown"))
        return
    await answer(message, render.reply(reply, locale))


async def edited_text_message(message: Incoming) -> bool:
    """An edit whose new text is not a command."""
    return message.text is not None and not message.text.startswith("/")


@text_routes.messages("edited", when=edited_text_message)
async def edited_text(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
    latest_message_id: int | None = None,
) -> None:
    """An edit of the latest message during a text step is the new text; else not read."""
    assert message.text is not None
    reply = None
    if message.message_id == latest_message_id:
        reply = await services.survey.text(uow, person.id, message.text)
    if reply is None or reply.also == USE_BUTTONS:  # not at a step that takes text
        await tell(message, t(locale, "chat.edit_not_read"))
        return
    await answer(message, render.reply(reply, locale))


@text_routes.messages("edited")
async def edited_other(message: Incoming, locale: str) -> None:
    """An edited command, caption or anything else: say that edits are not read."""
    await tell(message, t(locale, "chat.edit_not_read"))


@text_routes.messages("file", "other")
async def not_text(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """A photo, sticker or file inside a questionnaire: point back to the current question.

    Outside a questionnaire it falls through to the fallback router's reply.
    """
    reply = await services.survey.resume(uow, person.id, unpause=False)
    if reply is None:
        raise Skip
    if isinstance(reply.screen, Question):  # still answering: not "welcome back"
        screen = dataclasses.replace(reply.screen, resumed=False)
        reply = dataclasses.replace(reply, screen=screen, also=USE_BUTTONS)
    await answer(message, render.reply(reply, locale))
