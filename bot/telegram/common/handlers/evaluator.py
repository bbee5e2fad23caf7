"""Evaluators' commands: /progress /ranking /score /issues /overdue /chart /export, and
/mark /bonus /finding to enter marks, bonus points and inspection findings.

Every command is refused, without a figure, to anyone who lacks the evaluator
role (admins included only if also granted it): the check runs in a middleware
before any handler reads a result.
"""

from __future__ import annotations

from bot.app.services import Services
from bot.campaign.schema import Campaign
from bot.core.clock import local_today
from bot.i18n import t
from bot.publish.reports import reach_sheets
from bot.scoring import lookup, progress
from bot.scoring.chart import ranking_png
from bot.scoring.export import workbook_bytes
from bot.scoring.offload import off_loop
from bot.scoring.records import EntryError, deduction_component, mark_entry
from bot.scoring.results import CampaignScores, UnitScore
from bot.telegram.common import render_evaluator as screens
from bot.telegram.common import render_rectify as rectify
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.render_panels import inspection_lines
from bot.telegram.common.replies import Answer, Upload
from bot.telegram.common.routing import STAFF, Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("evaluator")
COMMANDS = (
    "progress",
    "ranking",
    "score",
    "issues",
    "overdue",
    "chart",
    "export",
    "mark",
    "bonus",
    "finding",
)


async def _send(message: Incoming, lines: list[str]) -> None:
    for chunk in screens.split_message(lines):
        await tell(message, chunk)


async def _scores(
    message: Incoming, services: Services, uow: UnitOfWork, campaign: Campaign | None, locale: str
) -> CampaignScores | None:
    """The stored results (computed now if never before); None after telling why."""
    if campaign is None:
        await tell(message, t(locale, "scoring.no_campaign"))
        return None
    scores = await services.scoring.results(uow, campaign.id)
    if scores is None:
        await services.scoring.refresh(campaign.id)
        scores = await services.scoring.results(uow, campaign.id)
    return scores


def _words(message: Incoming) -> list[str]:
    return (message.args or "").split()


@routes.command("ranking", roles=STAFF)
async def ranking(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/ranking [kind]: the ranking of one kind of unit (every kind if none is named)."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    scores = await _scores(message, services, uow, campaign, locale)
    if scores is None or campaign is None:
        return
    kinds = sorted({u.kind.value for u in campaign.units})
    wanted = [
        k for k in kinds if any(w.lower() in (k, t(locale, f"scoring.kind.{k}")) for w in words)
    ] or kinds
    lookback = await services.publish.last_round(uow, campaign.id)
    for kind in wanted:
        await _send(message, screens.ranking(campaign, scores, kind, locale, lookback))


async def _one_unit(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    locale: str,
    usage: str,
) -> tuple[Campaign, CampaignScores, UnitScore] | None:
    """The unit a command names, with its campaign's results; None after telling why."""
    found, query = lookup.resolve_units(services.registry, services.clock, _words(message))
    if not query:
        await tell(message, t(locale, usage))
        return None
    if len(found) != 1:
        names = " / ".join(u.name.get(locale) for _, u in found[:10])
        key = "scoring.unit_ambiguous" if found else "scoring.unit_unknown"
        await tell(message, t(locale, key, query=query, names=names))
        return None
    campaign, unit = found[0]
    scores = await _scores(message, services, uow, campaign, locale)
    scored = scores.unit(services.registry.unit_id(campaign, unit)) if scores else None
    if scores is None or scored is None:
        await tell(message, t(locale, "scoring.not_scored"))
        return None
    return campaign, scores, scored


@routes.command("score", roles=STAFF)
async def score(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/score UNIT: every figure of one unit."""
    found = await _one_unit(message, services, uow, locale, "scoring.usage.score")
    if found is not None:
        campaign, _, scored = found
        lookback = await services.publish.last_round(uow, campaign.id)
        plan, figure = await services.rectification.of_unit(uow, campaign.id, scored.unit_id)
        today = services.rectification.today(campaign.id)
        extra = rectify.score_lines(plan, figure, scored.satisfaction, today, locale)
        left = await services.rectification.carried_over(uow, campaign, scored.unit_id)
        extra += rectify.carried_lines(left, locale)
        await _send(message, screens.score(*found, locale, lookback) + extra)


@routes.command("issues", roles=STAFF)
async def issues(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/issues UNIT: complaints by kind and the latest suggestions."""
    found = await _one_unit(message, services, uow, locale, "scoring.usage.issues")
    if found is not None:
        seen = await services.inspections.of_unit(uow, found[0].id, found[2].unit_id)
        lines = screens.issues(found[0], found[2], locale) + inspection_lines(seen, locale)
        await _send(message, lines)


@routes.command("progress", roles=STAFF)
async def progress_(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/progress: answers against the minimum, questionnaires, categories, answers per day."""
    campaign, _ = lookup.split_campaign(services.registry, services.clock, _words(message))
    if campaign is None:
        await tell(message, t(locale, "scoring.no_campaign"))
        return
    found = await progress.progress(uow, campaign)
    scores = await services.scoring.results(uow, campaign.id)
    ids = {u.id: services.registry.unit_id(campaign, u) for u in campaign.units}
    await _send(message, screens.progress(campaign, scores, found, ids, locale))


@routes.command("overdue", roles=STAFF)
async def overdue(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/overdue: open complaints past their working-day deadline, then rectification
    measures past theirs."""
    campaign, _ = lookup.split_campaign(services.registry, services.clock, _words(message))
    if campaign is None:
        await tell(message, t(locale, "scoring.no_campaign"))
        return
    items = await progress.overdue(uow, campaign.id, services.now())
    names = {services.registry.unit_id(campaign, u): u.name.get(locale) for u in campaign.units}
    late = await services.rectification.late(uow, campaign.id)
    lines = [
        *screens.overdue(campaign, items, names, locale),
        "",
        rectify.overdue(late, names, locale),
    ]
    await _send(message, lines)


@routes.command("chart", roles=STAFF)
async def chart(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/chart: the ranking per kind as a picture, with the satisfaction intervals."""
    campaign, _ = lookup.split_campaign(services.registry, services.clock, _words(message))
    scores = await _scores(message, services, uow, campaign, locale)
    if scores is None or campaign is None:
        return
    await uow.end_reads()  # nothing more to read while the chart is drawn
    png = await off_loop(ranking_png, campaign, scores, locale)
    caption = t(
        locale,
        "scoring.chart.caption",
        campaign=campaign.name.get(locale),
        time=screens.timestamp(scores, locale),
    )
    await answer(message, Answer(caption, photo=Upload(f"{campaign.id}.png", png)))


@routes.command("export", roles=STAFF)
async def export(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/export: the report as an XLSX workbook."""
    campaign, _ = lookup.split_campaign(services.registry, services.clock, _words(message))
    scores = await _scores(message, services, uow, campaign, locale)
    if scores is None or campaign is None:
        return
    name = f"{campaign.id}-{local_today(services.clock, campaign.timezone)}.xlsx"
    caption = t(
        locale,
        "scoring.export.caption",
        campaign=campaign.name.get(locale),
        time=screens.timestamp(scores, locale),
    )
    bursts = await services.admin.fairness.bursts(uow, campaign.id)
    findings = await services.inspections.of_campaign(uow, campaign.id)
    more = await reach_sheets(services.publish, uow, campaign, scores, locale)
    await uow.end_reads()  # nothing more to read while the workbook is written
    data = await off_loop(workbook_bytes, campaign, scores, locale, bursts, findings, more)
    await answer(message, Answer(caption, document=Upload(name, data)))


@routes.command("mark", roles=STAFF)
async def mark(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/mark UNIT COMPONENT SCORE [OCCASION]: a mark for a manual component."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    if campaign is None or len(words) < 3:
        await tell(message, t(locale, "scoring.usage.mark"))
        return
    label = " ".join(words[3:]) or local_today(services.clock, campaign.timezone).isoformat()
    try:
        entry = mark_entry(services.registry, campaign.id, words[0], words[1], label, words[2])
        await services.records.store_marks(uow, person.id, [entry])
    except EntryError as exc:
        await tell(message, _error(exc, locale))
        return
    services.scoring.changed(campaign.id)
    await tell(
        message,
        t(
            locale,
            "scoring.mark.done",
            unit=campaign.unit(words[0]).name.get(locale),
            component=campaign.component(words[1]).name.get(locale),
            label=label,
            score=words[2],
        ),
    )


@routes.command("bonus", "finding", roles=STAFF)
async def bonus_or_finding(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/bonus UNIT POINTS REASON and /finding UNIT POINTS NOTE."""
    campaign, words = lookup.split_campaign(services.registry, services.clock, _words(message))
    what = message.command
    unit_id = (
        services.registry.unit_ids.get((campaign.id, words[0])) if campaign and words else None
    )
    if campaign is None or unit_id is None or len(words) < 2 + (what == "bonus"):
        await tell(message, t(locale, f"scoring.usage.{what}"))
        return
    text = " ".join(words[2:])
    add = services.records.add_bonus if what == "bonus" else services.records.add_inspection
    try:
        await add(uow, person.id, campaign.id, unit_id, words[1], text)
    except EntryError as exc:
        await tell(message, _error(exc, locale))
        return
    services.scoring.changed(campaign.id)
    comp = deduction_component(campaign)
    await tell(
        message,
        t(
            locale,
            f"scoring.{what}.done",
            unit=campaign.unit(words[0]).name.get(locale),
            points=words[1],
            reason=text,
            component=campaign.component(comp).name.get(locale) if comp else "",
        ),
    )


def _error(exc: EntryError, locale: str) -> str:
    values = dict(exc.values)
    if "what" in values:
        values["what"] = t(locale, f"scoring.what.{values['what']}")
    return t(locale, f"scoring.error.{exc.key}", **values)
