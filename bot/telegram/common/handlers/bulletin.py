"""/bulletin: the periodic bulletin (定期通报) on demand, for evaluators and admins.

``/bulletin [CAMPAIGN]`` shows the current period so far (text and chart, nothing
recorded); ``/bulletin send [CAMPAIGN]`` records the bulletin and sends it through
the outbox to the evaluators and the complaint centre (bot/bulletin/service.py).
"""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.scoring import lookup
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.replies import Answer, Upload
from bot.telegram.common.routing import STAFF, Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("bulletin")


@routes.command("bulletin", roles=STAFF)
async def bulletin(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/bulletin [send] [CAMPAIGN]: preview the current period, or send it now."""
    words = (message.args or "").split()
    send = bool(words) and words[0].lower() == "send"
    named = words[1:] if send else words
    campaign, rest = lookup.split_campaign(services.registry, services.clock, named)
    if rest:
        await tell(message, t(locale, "bulletin.usage"))
        return
    if campaign is None:
        await tell(message, t(locale, "scoring.no_campaign"))
        return
    if send:
        await uow.end_reads()
        sent, count = await services.bulletins.send_now(campaign, person.id)
        await tell(message, t(locale, "bulletin.sent", number=sent.number, count=count))
        return
    found = await services.bulletins.preview(uow, campaign)
    await uow.end_reads()  # nothing more to read while the chart is drawn
    text, png = await services.bulletins.render(found, locale)
    await tell(message, text + "\n\n" + t(locale, "bulletin.preview"))
    photo = Upload(f"{campaign.id}-bulletin.png", png)
    await answer(message, Answer(t(locale, "bulletin.chart_caption", number="—"), photo=photo))
