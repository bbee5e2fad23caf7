"""Inspectors in chat (明查暗访): /inspect (inspectors), /confirm and /reject (evaluators),
/corrected (the unit's handlers).  A confirmed finding goes to the unit's handlers through
the outbox without the inspector's identity (集中交办)."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.scoring import lookup
from bot.scoring.records import EntryError
from bot.telegram.common.incoming import Incoming, tell
from bot.telegram.common.routing import HANDLER, INSPECTOR, STAFF, Routes
from storage.inspections import InspectionRecord
from storage.outbox import Single
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("inspections")
LIMIT = 1000  # characters of typed text shown back in one message


def _cut(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def _files(message: Incoming) -> list[list[str]]:
    """The evidence attached to the message: a photo (largest size) or a document."""
    return [[file.kind, file.file_id] for file in message.attachments[:1]]


@routes.command("inspect", roles=INSPECTOR)
async def inspect(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/inspect UNIT open|unannounced|media POINTS|note WHAT WAS SEEN (a photo's caption too)."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    unit_id = (
        services.registry.unit_ids.get((campaign.id, words[0])) if campaign and words else None
    )
    if campaign is None or unit_id is None:
        await tell(message, t(locale, "inspection.error.inspection_usage"))
        return
    try:
        new_id = await services.inspections.record(
            uow, person.id, campaign, unit_id, words[1:], _files(message)
        )
    except EntryError as exc:
        await tell(message, t(locale, f"inspection.error.{exc.key}", **exc.values))
        return
    unit = campaign.unit(words[0]).name.get(locale)
    await tell(message, t(locale, "inspection.recorded", id=new_id, unit=unit))


@routes.command("confirm", "reject", roles=STAFF)
async def decide(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/confirm ID [NOTE] and /reject ID REASON (audited)."""
    words = _words(message)
    confirmed = message.command == "confirm"
    if not words:
        await tell(message, t(locale, f"inspection.usage.{message.command}"))
        return
    reason = " ".join(words[1:])
    campaigns = services.registry.campaigns
    try:
        found = await services.inspections.decide(
            uow, person.id, campaigns, words[0], confirmed, reason
        )
    except EntryError as exc:
        await tell(message, t(locale, f"inspection.error.{exc.key}", **exc.values))
        return
    if confirmed:
        services.scoring.changed(found.campaign_id)
        await _hand_over(services, uow, found)
    await tell(message, t(locale, f"inspection.{message.command}ed", id=found.id))


async def _hand_over(services: Services, uow: UnitOfWork, found: InspectionRecord) -> None:
    """集中交办: the finding to each handler of the unit, in their language, with the
    evidence — and nothing that names the inspector."""
    campaign = services.registry.campaigns[found.campaign_id]
    unit = next(
        u for u in campaign.units if services.registry.unit_id(campaign, u) == found.unit_id
    )
    messages = []
    for chat_id in await services.inspections.handlers(uow, found):
        person = await services.people.get(uow, chat_id)
        locale = person.locale if person is not None else services.default_locale
        points = "—" if found.points_x100 is None else f"{found.points_x100 / 100:g}"
        text = t(
            locale,
            "inspection.handoff",
            id=found.id,
            unit=unit.name.get(locale),
            kind=t(locale, f"inspection.kind.{found.kind}"),
            seen=_cut(found.seen),
            points=points,
        )
        messages.append(Single(chat_id, locale, text))
        for kind, file_id in found.files:
            caption = t(locale, "inspection.evidence", id=found.id)
            messages.append(Single(chat_id, locale, caption, None, kind, file_id))
    await services.outbox.enqueue(messages)


@routes.command("corrected", roles=HANDLER)
async def corrected(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/corrected ID WHAT WAS CORRECTED: the unit answers a finding handed to it."""
    words = _words(message)
    if len(words) < 2:
        await tell(message, t(locale, "inspection.usage.corrected"))
        return
    handled = await services.access.handled_units(uow, person.id)
    try:
        found = await services.inspections.correct(uow, handled, words[0], " ".join(words[1:]))
    except EntryError as exc:
        await tell(message, t(locale, f"inspection.error.{exc.key}", **exc.values))
        return
    await tell(message, t(locale, "inspection.correction_recorded", id=found.id))


def _words(message: Incoming) -> list[str]:
    return (message.args or "").split()
