"""Rectification in chat (整改反馈): the unit's handlers draft and submit the plan
(/plan /measure /suggestions, the Submit button) and report measures done (/done, a
photo's or document's caption too); evaluators list, approve and return plans (/plans,
/approve, /return, the Approve button); citizens follow a unit after rating it and
give their one verdict on a completed plan.  Each handler parses, calls
`services.rectification`, renders (render_rectify.py) and answers (replies.py);
messages to anyone else go through the outbox."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import t
from bot.rectification.rules import Plan, RectifyError
from bot.rectification.service import Told
from bot.telegram.common import render_rectify as screens
from bot.telegram.common.callbacks import FollowUnit, PlanAction, RateRectification
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.replies import Answer
from bot.telegram.common.routing import HANDLER, STAFF, Routes
from storage.outbox import Single
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("rectify")


def _words(message: Incoming) -> list[str]:
    """The command's arguments, split on blanks."""
    return (message.args or "").split()


async def _submitting(query: Incoming, callback_data: PlanAction) -> bool:
    """The plan's Submit button (its handlers')."""
    return callback_data.action == "submit"


async def _approving(query: Incoming, callback_data: PlanAction) -> bool:
    """The plan's Approve button (evaluators')."""
    return callback_data.action == "approve"


def _refused(error: RectifyError, locale: str) -> str:
    """Why the engine refused, in words."""
    return t(locale, f"rectify.error.{error.key}", **error.values)


async def _show(
    message: Incoming, services: Services, plan: Plan, locale: str, *, reviewer: bool = False
) -> None:
    """Show a plan in answer to typed input (in several messages if long)."""
    campaign = services.rectification.campaign(plan)
    found = services.registry.unit(plan.unit_id)
    unit = found[1].name.get(locale) if found else str(plan.unit_id)
    today = services.rectification.today(plan.campaign_id)
    chunks, markup = screens.plan(
        plan, unit, campaign.name.get(locale), today, locale, reviewer=reviewer
    )
    for chunk in chunks[:-1]:
        await tell(message, chunk)
    await answer(message, Answer(chunks[-1], markup))


async def _own_plan(
    services: Services, uow: UnitOfWork, person: RespondentRecord, words: list[str], locale: str
) -> tuple[Plan, list[str]]:
    """The plan of the handler's unit (named first, or their only one) and the other words."""
    handled = await services.access.handled_units(uow, person.id)
    unit_id, rest = services.rectification.unit_of(handled, words)
    return await services.rectification.open(uow, person.id, unit_id, locale), rest


async def _tell(
    services: Services, uow: UnitOfWork, plan: Plan, told: Told | None, key: str, **values: object
) -> int:
    """Queue `key` to the plan's unit's handlers (if given) and the notices of an approved
    or completed plan to the people concerned; how many of those were told."""
    messages: list[Single] = []
    for chat_id in await services.rectification.handlers(uow, plan) if key else []:
        person = await services.people.get(uow, chat_id)
        locale = person.locale if person is not None else services.default_locale
        messages.append(Single(chat_id, locale, t(locale, key, **values)))
    found = services.registry.unit(plan.unit_id)
    if told is not None and found is not None:
        messages += screens.notices(told, found[0], found[1].name)
    await services.outbox.enqueue(messages)
    return len(told.recipients) if told else 0


# -- the unit's handlers -----------------------------------------------------------------


@routes.command("plan", roles=HANDLER)
async def plan(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/plan [UNIT]: the unit's plan (a draft from its main problems the first time)."""
    try:
        found, _ = await _own_plan(services, uow, person, _words(message), locale)
    except RectifyError as refused:
        await tell(message, _refused(refused, locale))
        return
    await _show(message, services, found, locale)


@routes.command("measure", roles=HANDLER)
async def measure(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/measure [UNIT] add P | M | D, /measure [UNIT] N P | M | D, /measure [UNIT] drop N."""
    engine = services.rectification
    try:
        found, words = await _own_plan(services, uow, person, _words(message), locale)
        if not words:
            raise RectifyError("measure_format")
        rest = (message.args or "").split(words[0], 1)[1]
        if words[0].lower() == "add":
            found = await engine.add_measure(uow, found, rest)
        elif words[0].lower() == "drop":
            found = await engine.drop_measure(uow, found, rest.strip())
        else:
            found = await engine.edit_measure(uow, found, words[0], rest)
    except RectifyError as refused:
        await tell(message, _refused(refused, locale) + "\n\n" + t(locale, "rectify.usage"))
        return
    await _show(message, services, found, locale)


@routes.command("suggestions", roles=HANDLER)
async def suggestions(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/suggestions [UNIT] adopted|partly|not REASON: the answer to the public's suggestions."""
    try:
        found, words = await _own_plan(services, uow, person, _words(message), locale)
        found = await services.rectification.answer(uow, found, words)
    except RectifyError as refused:
        await tell(message, _refused(refused, locale))
        return
    await _show(message, services, found, locale)


@routes.press(PlanAction, roles=HANDLER, when=_submitting)
async def submit(
    query: Incoming,
    callback_data: PlanAction,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Submit: the plan goes to the evaluators (only its unit's handlers may)."""
    engine = services.rectification
    try:
        found = await engine.get(uow, callback_data.plan)
        if found.unit_id not in await services.access.handled_units(uow, person.id):
            raise RectifyError("unknown_plan", plan=callback_data.plan)
        found = await engine.submit(uow, found, person.id)
    except RectifyError as refused:
        await tell(query, _refused(refused, locale), alert=True)
        return
    await answer(query, Answer(t(locale, "rectify.submitted", id=found.id)))


@routes.command("done", roles=HANDLER)
async def done(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/done [UNIT] N WHAT WAS DONE (a photo's or document's caption too)."""
    evidence = None
    if message.attachments:  # /done as a photo's or document's caption
        evidence = (message.attachments[0].kind, message.attachments[0].file_id)
    try:
        found, words = await _own_plan(services, uow, person, _words(message), locale)
        number, note = (words[0], " ".join(words[1:])) if words else ("", "")
        found, told = await services.rectification.report_done(
            uow, found, number, note, evidence, person.id
        )
    except RectifyError as refused:
        await tell(message, _refused(refused, locale))
        return
    await tell(message, t(locale, "rectify.done_recorded", number=number))
    if told is not None:
        await _tell(services, uow, found, told, "")
        await tell(message, t(locale, "rectify.completed", id=found.id))


# -- evaluators --------------------------------------------------------------------------


@routes.command("plans", roles=STAFF)
async def plans(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """/plans: the plans awaiting a decision; /plans ID: one plan, with Approve."""
    words = _words(message)
    engine = services.rectification
    if words:
        try:
            found = await engine.get(uow, words[0])
        except RectifyError as refused:
            await tell(message, _refused(refused, locale))
            return
        await _show(message, services, found, locale, reviewer=True)
        return
    listed = []
    for item in await engine.pending(uow):
        unit = services.registry.unit(item.unit_id)
        name = unit[1].name.get(locale) if unit else str(item.unit_id)
        listed.append((item, name, engine.campaign(item).name.get(locale)))
    await tell(message, screens.pending(listed, locale) + "\n\n" + t(locale, "rectify.usage.plans"))


async def _decide(
    event: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    plan_id: str,
    approve: bool,
    remark: str,
    locale: str,
) -> None:
    """Approve or return a plan (audited), tell its handlers, and (approved) its public."""
    try:
        found, told = await services.rectification.decide(uow, plan_id, person.id, approve, remark)
    except RectifyError as refused:
        await tell(event, _refused(refused, locale), alert=True)
        return
    if approve:
        count = await _tell(services, uow, found, told, "rectify.approved_notice", id=found.id)
        await answer(event, Answer(t(locale, "rectify.approved", id=found.id, count=count)))
    else:
        remark = found.remark or ""
        await _tell(
            services, uow, found, None, "rectify.returned_notice", id=found.id, remark=remark
        )
        await answer(event, Answer(t(locale, "rectify.returned", id=found.id)))


@routes.command("approve", "return", roles=STAFF)
async def decide(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/approve ID [REMARK], /return ID REMARK."""
    words = _words(message)
    if not words:
        await tell(message, t(locale, f"rectify.usage.{message.command}"))
        return
    approve = message.command == "approve"
    await _decide(message, services, uow, person, words[0], approve, " ".join(words[1:]), locale)


@routes.press(PlanAction, roles=STAFF, when=_approving)
async def approve_button(
    query: Incoming,
    callback_data: PlanAction,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """The Approve button under a submitted plan."""
    await _decide(query, services, uow, person, str(callback_data.plan), True, "", locale)


# -- citizens ----------------------------------------------------------------------------


@routes.press(FollowUnit)
async def follow(
    query: Incoming,
    callback_data: FollowUnit,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """ "Follow this unit": told when its plan is published and when it is completed."""
    found = services.registry.unit(callback_data.unit)
    if found is None:
        await tell(query, t(locale, "common.stale"), alert=True)
        return
    new = await services.rectification.follow(uow, person.id, callback_data.unit)
    key = "rectify.followed" if new else "rectify.followed_before"
    await tell(query, t(locale, key, unit=found[1].name.get(locale)))


@routes.press(RateRectification)
async def rate(
    query: Incoming,
    callback_data: RateRectification,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """The one verdict on a completed plan; the buttons go away."""
    try:
        level = await services.rectification.rate(
            uow, person.id, callback_data.plan, callback_data.level
        )
    except RectifyError as refused:
        await tell(query, _refused(refused, locale), alert=True)
        return
    text = query.html  # the notice stays, its buttons go
    thanks = t(locale, "rectify.rated", level=t(locale, f"level.{level.value}"))
    await answer(query, Answer(text=text, markup=None, toast=thanks))
