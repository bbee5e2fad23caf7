"""Admins' /broadcast: compose, choose the audience, preview, send, watch, cancel.

The other admin commands are in routers/admin_roles.py.  Every handler declares
who may use it (bot/telegram/authz.py)."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import Safe, t
from bot.telegram.common import keyboards_admin, render_admin
from bot.telegram.common.callbacks import (
    BroadcastAddLocale,
    BroadcastAudience,
    BroadcastAudienceMenu,
    BroadcastCancel,
    BroadcastSend,
    BroadcastUnitSearch,
)
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.replies import Answer
from bot.telegram.common.routing import ADMIN, Routes
from storage.admin import Audience, AudienceUnavailable
from storage.records import RespondentRecord

routes = Routes("admin")
# Tried before the questionnaire's router: an admin's next message while composing.
compose_routes = Routes("admin_compose")


async def _composing(message: Incoming, services: Services) -> bool:
    """The sender is an admin whose broadcast draft awaits a message (a dict look-up);
    commands still work while composing (they are another kind)."""
    return message.user_id in services.admin.composer.composing


# -- /broadcast --------------------------------------------------------------------------


@routes.command("broadcast", roles=ADMIN)
async def broadcast(
    message: Incoming, services: Services, person: RespondentRecord, locale: str
) -> None:
    """Start composing: the next message is the text in the admin's language."""
    await services.admin.composer.start(person.id, locale)
    await tell(message, t(locale, "admin.bc.ask_text", language=t(locale, f"lang.{locale}")))


@compose_routes.messages("text", "file", roles=ADMIN, when=_composing)
async def compose_message(
    message: Incoming, services: Services, person: RespondentRecord, locale: str
) -> None:
    """The text (or a photo/document with its caption) of one locale, validated."""
    composer = services.admin.composer
    draft = await composer.get(person.id)
    if draft is None or not (draft.step or "").startswith(("text:", "unit:")):
        await composer.set_step(person.id, draft.id if draft else 0, None)
        await tell(message, t(locale, "common.stale"))
        return
    step = draft.step or ""
    if step.startswith("unit:"):
        await _unit_search(message, services, draft.id, step.removeprefix("unit:"), locale)
        return
    media = _media(message)
    # The admin's formatting as Telegram gives it (entities → HTML, the rest escaped):
    # what they see in their client is what people get; typed "<b>" or "&" stay text.
    problem = await composer.set_text(
        person.id, draft, step.removeprefix("text:"), message.html or "", media
    )
    if problem is not None:
        what = t(locale, f"admin.bc.problem.{problem.key}", **problem.values)
        await tell(message, t(locale, "admin.bc.bad_html", problem=Safe(what)))
        return
    updated = await composer.get(person.id, draft.id)
    texts = updated.texts if updated else {}
    markup = keyboards_admin.broadcast_draft(draft.id, texts, locale)
    await answer(message, Answer(t(locale, "admin.bc.text_saved"), markup))


def _media(message: Incoming) -> tuple[str, str] | None:
    for attachment in message.attachments:
        return attachment.kind, attachment.file_id
    return None


async def _unit_search(
    message: Incoming, services: Services, draft_id: int, kind: str, locale: str
) -> None:
    """Units whose name contains the typed text, as buttons."""
    registry = services.registry
    found = [
        (registry.unit_id(campaign, unit), unit.name.get(locale))
        for campaign, unit in registry.find_units(message.text or "")
    ][:8]
    if not found:
        await tell(message, t(locale, "admin.bc.no_unit"))
        return
    await services.admin.composer.set_step(message.user_id or 0, draft_id, None)
    markup = keyboards_admin.broadcast_units(draft_id, kind, found, locale)
    await answer(message, Answer(t(locale, "admin.bc.pick_unit"), markup))


@routes.press(BroadcastAddLocale, roles=ADMIN)
async def broadcast_add_locale(
    query: Incoming,
    callback_data: BroadcastAddLocale,
    services: Services,
    person: RespondentRecord,
    locale: str,
) -> None:
    """The next message is the text in another language."""
    await services.admin.composer.set_step(
        person.id, callback_data.draft, f"text:{callback_data.locale}"
    )
    language = t(locale, f"lang.{callback_data.locale}")
    await answer(query, Answer(t(locale, "admin.bc.ask_text", language=language), edit=False))


@routes.press(BroadcastAudienceMenu, roles=ADMIN)
async def broadcast_audience_menu(
    query: Incoming, callback_data: BroadcastAudienceMenu, services: Services, locale: str
) -> None:
    """Who should get it?"""
    campaigns = list(services.registry.campaigns.values())
    markup = keyboards_admin.broadcast_audiences(callback_data.draft, campaigns, locale)
    await answer(query, Answer(t(locale, "admin.bc.choose_audience"), markup))


@routes.press(BroadcastUnitSearch, roles=ADMIN)
async def broadcast_unit_search(
    query: Incoming,
    callback_data: BroadcastUnitSearch,
    services: Services,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Ask for (part of) the unit's name."""
    await services.admin.composer.set_step(
        person.id, callback_data.draft, f"unit:{callback_data.kind}"
    )
    await answer(query, Answer(t(locale, "admin.bc.ask_unit"), edit=False))


@routes.press(BroadcastAudience, roles=ADMIN)
async def broadcast_audience(
    query: Incoming,
    callback_data: BroadcastAudience,
    services: Services,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Preview: the text as sent, the audience and how many it reaches now."""
    draft = await services.admin.composer.get(person.id, callback_data.draft)
    audience, label = _audience(services, callback_data, locale)
    if draft is None or audience is None or not draft.texts:
        await tell(query, t(locale, "common.stale"))
        return
    try:
        count = await services.admin.count(audience)
    except AudienceUnavailable:
        await tell(query, t(locale, "admin.aud.unavailable"), alert=True)
        return
    await services.admin.composer.set_audience(draft.id, audience)
    text = draft.texts.get(locale) or draft.texts[services.default_locale]
    preview = render_admin.preview(text, count, label, locale)
    await answer(query, Answer(preview, keyboards_admin.broadcast_confirm(draft.id, locale)))


def _audience(
    services: Services, data: BroadcastAudience, locale: str
) -> tuple[Audience | None, str]:
    """The audience a button names, and its label."""
    if data.kind in ("everyone", "open_complaints"):
        return Audience(data.kind), t(locale, f"admin.aud.{data.kind}")
    if data.kind in ("raters", "complainants"):
        found = services.registry.unit(data.unit)
        if found is None:
            return None, ""
        name = found[1].name.get(locale)
        return Audience(data.kind, unit_id=data.unit), t(
            locale, f"admin.aud.{data.kind}", unit=name
        )
    campaign = services.registry.campaigns.get(data.campaign)
    if campaign is None:
        return None, ""
    if data.kind == "started":
        label = t(locale, "admin.aud.started", campaign=campaign.name.get(locale))
        return Audience("started", campaign_id=campaign.id), label
    if data.kind == "category" and 0 <= data.cat < len(campaign.categories):
        category = campaign.categories[data.cat]
        audience = Audience(
            "category", campaign_id=campaign.id, category=category.id, public=category.public
        )
        return audience, category.name.get(locale)
    return None, ""


@routes.press(BroadcastSend, roles=ADMIN)
async def broadcast_send(
    query: Incoming,
    callback_data: BroadcastSend,
    services: Services,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Confirmed: start sending; this message becomes the progress report."""
    draft = await services.admin.composer.get(person.id, callback_data.draft)
    if draft is None or query.chat_id is None or query.message_id is None:
        await tell(query, t(locale, "common.stale"))
        return
    progress = await services.admin.start_draft(draft.id, (query.chat_id, query.message_id))
    if progress is None:
        await answer(query, Answer(t(locale, "common.stale"), edit=False))
        return
    markup = keyboards_admin.broadcast_running(progress.job_id, locale)
    await answer(query, Answer(render_admin.progress(progress, locale), markup))


@routes.press(BroadcastCancel, roles=ADMIN)
async def broadcast_cancel(
    query: Incoming,
    callback_data: BroadcastCancel,
    services: Services,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Drop a draft or stop a running broadcast."""
    stopped = await services.admin.composer.discard(person.id, callback_data.job)
    toast = t(locale, "admin.bc.stopped" if stopped else "common.stale")
    if not stopped:
        await tell(query, toast)
        return
    progress = await services.outbox.progress(callback_data.job)
    shown = render_admin.progress(progress, locale) if progress.total else None
    await answer(query, Answer(shown or t(locale, "admin.bc.discarded"), toast=toast))
