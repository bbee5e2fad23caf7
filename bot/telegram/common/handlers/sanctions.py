"""Sanctions in chat (seed 002 六(三), seed 000 四(四)).

/sanction UNIT worst|no-award REASON — an evaluator places a unit last in its kind
(直接列为最差单位) or removes it from awards (取消评先资格); /sanction revoke ID REASON —
an admin revokes one.  Both are audited with their reason and fold into the next
refresh of the scores at once.

/unseat [CAMPAIGN] USER_ID keep|void REASON — an evaluator withdraws a representative's
seat (取消评议代表资格): their category ends, panel components close to them, and
their answers are kept or voided as the evaluator chooses (audited).
"""

from __future__ import annotations

import re

from bot.app.services import Services
from bot.i18n import t
from bot.scoring import lookup
from bot.scoring.records import EntryError
from bot.telegram.common.incoming import Incoming, tell
from bot.telegram.common.routing import ADMIN, STAFF, Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("sanctions")
REVOKE = re.compile(r"(?i)^\s*revoke(\s|$)")


async def _revoking(message: Incoming) -> bool:
    """/sanction revoke …: the admins' form."""
    return REVOKE.match(message.args or "") is not None


@routes.command("sanction", roles=ADMIN, when=_revoking)
async def revoke(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/sanction revoke ID REASON (admins)."""
    words = (message.args or "").split()
    if len(words) < 3:
        await tell(message, t(locale, "sanction.usage.revoke"))
        return
    try:
        found = await services.records.revoke_sanction(
            uow, person.id, words[1], " ".join(words[2:])
        )
    except EntryError as exc:
        await tell(message, t(locale, f"sanction.error.{exc.key}", **exc.values))
        return
    services.scoring.changed(found.campaign_id)
    await tell(
        message, t(locale, "sanction.revoked", id=found.id, reason=shown(" ".join(words[2:])))
    )


@routes.command("sanction", roles=STAFF)
async def sanction(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/sanction UNIT worst|no-award REASON (evaluators)."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    unit_id = (
        services.registry.unit_ids.get((campaign.id, words[0])) if campaign and words else None
    )
    if campaign is None or unit_id is None or len(words) < 3:
        await tell(message, t(locale, "sanction.usage.impose"))
        return
    reason = " ".join(words[2:])
    try:
        new_id = await services.records.impose_sanction(
            uow, person.id, campaign.id, unit_id, words[1], reason
        )
    except EntryError as exc:
        await tell(message, t(locale, f"sanction.error.{exc.key}", **exc.values))
        return
    services.scoring.changed(campaign.id)
    await tell(
        message,
        t(
            locale,
            "sanction.done",
            id=new_id,
            unit=campaign.unit(words[0]).name.get(locale),
            kind=t(locale, f"sanction.kind.{words[1].lower()}"),
            reason=shown(reason),
        ),
    )


@routes.command("unseat", roles=STAFF)
async def unseat(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/unseat [CAMPAIGN] USER_ID keep|void REASON (evaluators)."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    if (
        campaign is None
        or len(words) < 3
        or not words[0].isdigit()
        or words[1].lower() not in ("keep", "void")
    ):
        await tell(message, t(locale, "sanction.usage.unseat"))
        return
    rid, reason = int(words[0]), " ".join(words[2:])
    fairness = services.admin.fairness
    seat = await fairness.withdraw_seat(
        uow, person.id, rid, campaign, words[1].lower() == "void", reason
    )
    if seat is None:
        await tell(message, t(locale, "sanction.unseat.no_seat", user=rid))
        return
    services.survey.forget_category(rid, campaign.id)
    services.scoring.changed(campaign.id)
    held = next((c for c in campaign.categories if c.id == seat.category), None)
    category = held.name.get(locale) if held is not None else seat.category
    key = f"sanction.unseat.{words[1].lower()}"
    await tell(message, t(locale, key, user=rid, category=category, count=seat.voided))


def shown(reason: str, limit: int = 1000) -> str:
    """A typed reason cut to fit in a reply (t() escapes it)."""
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _words(message: Incoming) -> list[str]:
    return (message.args or "").split()
