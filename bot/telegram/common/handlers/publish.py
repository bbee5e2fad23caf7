"""Publication (公示): /publish for admins (confirmed with a button), /results for everyone."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.publish.service import Published, PublishError
from bot.telegram.common import render_publish as screens
from bot.telegram.common import render_rectify as rectify
from bot.telegram.common.callbacks import PublishConfirm, ResultsPage, ResultsUnit
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.replies import Answer
from bot.telegram.common.routing import ADMIN, Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("publish")


@routes.command("publish", roles=ADMIN)
async def publish(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/publish CAMPAIGN [REASON]: preview what would be published, with a confirm button."""
    campaign_id, _, reason = (message.args or "").strip().partition(" ")
    if not campaign_id:
        ids = ", ".join(sorted(services.registry.campaigns))
        await tell(message, t(locale, "publish.usage", campaigns=ids))
        return
    try:
        view = await services.publish.request(uow, campaign_id, person.id, reason)
    except PublishError as refused:
        await tell(message, t(locale, refused.key, **refused.values))
        return
    name = services.registry.campaigns[campaign_id].name.get(locale)
    text, markup = screens.preview(view, name, locale)
    await answer(message, Answer(text, markup))


@routes.press(PublishConfirm, roles=ADMIN)
async def publish_button(
    query: Incoming,
    callback_data: PublishConfirm,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Publish (or not) what the preview showed; a second tap publishes nothing more."""
    if not callback_data.go:
        await answer(query, Answer(t(locale, "publish.cancelled")))
        return
    try:
        done = await services.publish.confirm(uow, callback_data.request, person.id)
    except PublishError as refused:
        await answer(query, Answer(t(locale, refused.key, **refused.values)))
        return
    name = done.snapshot.title(locale)
    await answer(query, Answer(t(locale, "publish.done", campaign=name, number=done.number)))


@routes.command("results")
async def results(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """/results: the latest publication, the person's own units first."""
    latest = await _latest(services, uow)
    if not latest:
        await tell(message, t(locale, "publish.results.none"))
        return
    text, markup = await _page(services, uow, person, latest[0], latest[1:], 0, 0, locale)
    await answer(message, Answer(text, markup))


@routes.press(ResultsPage)
async def results_page(
    query: Incoming,
    callback_data: ResultsPage,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Another kind, page or campaign of /results."""
    pub = await services.publish.get(uow, callback_data.pub)
    if pub is None:
        await tell(query, t(locale, "common.stale"), alert=True)
        return
    others = [
        p
        for p in await _latest(services, uow)
        if p.snapshot.campaign_id != pub.snapshot.campaign_id
    ]
    text, markup = await _page(
        services, uow, person, pub, others, callback_data.kind, callback_data.page, locale
    )
    await answer(query, Answer(text, markup))


@routes.press(ResultsUnit)
async def results_unit(
    query: Incoming,
    callback_data: ResultsUnit,
    services: Services,
    uow: UnitOfWork,
    locale: str,
) -> None:
    """One unit of /results: its figures, last round, time limits and complaint channel."""
    cb = callback_data
    pub = await services.publish.get(uow, cb.pub)
    unit = pub.snapshot.unit(cb.unit) if pub is not None else None
    if pub is None or unit is None:
        await tell(query, t(locale, "common.stale"), alert=True)
        return
    found = services.registry.unit(unit.unit_id)
    info = found[1] if found is not None else None
    text, markup = screens.unit_view(pub, unit, info, cb.kind, cb.page, locale)
    await answer(query, Answer(text, markup))


async def _latest(services: Services, uow: UnitOfWork) -> list[Published]:
    """The latest publication of each published campaign, most recent first."""
    found = []
    for campaign_id in await services.publish.published_campaigns(uow):
        pub = await services.publish.latest(uow, campaign_id)
        if pub is not None:
            found.append(pub)
    return found


async def _page(
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    pub: Published,
    others: list[Published],
    kind: int,
    page: int,
    locale: str,
) -> tuple[str, Keyboard]:
    """One page of `pub` for this person."""
    campaign_id = pub.snapshot.campaign_id
    touched = await services.publish.touched_units(uow, campaign_id, person.id)
    found = await services.rectification.published(uow, campaign_id)
    today = services.rectification.today(campaign_id)
    extra = rectify.results_lines(found, today, locale)
    return screens.results(pub, others, touched, kind, page, locale, extra)
