"""Rectification end to end, through aiogram and the local Bot API server: results
published, a citizen rates and follows a unit, its handler drafts and submits a plan,
an evaluator returns it, it is submitted again and approved (audited), the people
concerned are told (the raw payloads the server recorded), measures are reported
done, the plan completes, they give their verdict, and the figure is shown in /score,
/results and on the unit's page."""

from __future__ import annotations

import datetime as dt

from bot.access.service import Role
from bot.i18n import t
from bot.publish.site import published_pages
from storage.models import AuditEntry, RectificationPlan, UnitFollower
from tests.bot.publish.test_chat import _dataset
from tests.bot.publish.test_engine import add_complaint
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import (
    Citizen,
    answer_items,
    count_rows,
    nav_data,
    open_questionnaire,
    plain,
    unit_id,
    unit_name,
    wait_until,
)

CZ = "changzhou-2011-safety"
EN = "en"


async def _rate_and_follow(citizen: Citizen, wujin: int) -> None:
    """Rate wujin through the questionnaire, then press "follow this unit"."""
    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [0, 0, 0, 0, 0])
    [review] = await citizen.press(question, nav_data(wujin, "skip"))
    [thanks] = await citizen.press(review, nav_data(wujin, "submit"))
    follow = next(
        data
        for row in thanks.buttons
        for label, data in row
        if label == t(EN, "rectify.btn.follow")
    )
    await citizen.press(thanks, follow)
    name = unit_name(citizen.app.services, "wujin", EN)
    assert citizen.toasts[-1] == plain(EN, "rectify.followed", unit=name)
    await citizen.press(thanks, follow)
    assert citizen.toasts[-1] == plain(EN, "rectify.followed_before")


async def _publish(admin: Citizen) -> None:
    [preview] = await admin.send(f"/publish {CZ}")
    await admin.press(preview, preview.callback_data()[0])


def _button(message, key: str) -> str:
    """The data of the button labelled with text `key` (English)."""
    return next(data for row in message.buttons for label, data in row if label == t(EN, key))


async def test_rectification_from_publication_to_the_public_verdict(app: BotApp) -> None:
    services = app.services
    await _dataset(app)
    wujin = unit_id(services, "wujin")
    admin, citizen = Citizen(app, 7101, EN), Citizen(app, 7102, EN)
    complainant, handler = Citizen(app, 7103, EN), Citizen(app, 7104, EN)
    evaluator, stranger = Citizen(app, 7105, EN), Citizen(app, 7106, EN)
    for person in (complainant, handler, evaluator, stranger):
        await person.send("/start")
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, admin.id, Role.ADMIN)
        await services.access.grant(uow, None, handler.id, Role.HANDLER, wujin)
        await services.access.grant(uow, None, evaluator.id, Role.EVALUATOR)
    await add_complaint(services, complainant.id, "wujin", "buck-passing", "sent away twice")
    await _rate_and_follow(citizen, wujin)
    assert await count_rows(services, UnitFollower, respondent_id=citizen.id) == 1
    await _publish(admin)

    # The handler's draft: the main problems, pre-filled.
    [draft] = await handler.send("/plan")
    assert "Status: draft" in draft.plain_text
    assert "1. Problem: Complaints: Buck-passing (1)" in draft.plain_text
    [draft] = await handler.send("/measure 1 | answer at the first window | 10")
    assert "Measure: answer at the first window" in draft.plain_text
    [refused] = await handler.send("/measure add queues | second window | yesterday")
    assert refused.plain_text.startswith(plain(EN, "rectify.error.deadline", text="yesterday"))
    [draft] = await handler.send("/measure add queues | second window | 2011-09-30")
    [draft] = await handler.send("/suggestions partly two more staff in 2012")
    assert "Suggestions: partly adopted. Reason: two more staff in 2012" in draft.plain_text
    [submitted] = await handler.press(draft, _button(draft, "rectify.btn.submit"))
    plan_id = await _plan_id(services, wujin)
    assert submitted.plain_text == plain(EN, "rectify.submitted", id=plan_id)
    assert submitted.buttons == []  # submitted once

    # Returned with a remark; the handler is told; edited and submitted again.
    [pending] = await evaluator.send("/plans")
    assert f"#{plan_id} " in pending.plain_text
    [returned] = await evaluator.send(f"/return {plan_id} measure 2 is vague")
    assert returned.plain_text == plain(EN, "rectify.returned", id=plan_id)
    await wait_until(
        lambda: "measure 2 is vague" in handler.user.messages[-1].plain_text, "the returned notice"
    )
    [draft] = await handler.send("/plan")
    assert "Evaluators' remark: measure 2 is vague" in draft.plain_text
    [draft] = await handler.send("/measure 2 | open a second window on Mondays |")
    await handler.press(draft, _button(draft, "rectify.btn.submit"))

    # Approved with the button; everyone concerned is told — not the stranger.
    [shown] = await evaluator.send(f"/plans {plan_id}")
    [approved] = await evaluator.press(shown, _button(shown, "rectify.btn.approve"))
    assert approved.plain_text == plain(EN, "rectify.approved", id=plan_id, count=2)
    name = unit_name(services, "wujin", EN)
    for person in (citizen, complainant):
        payloads = app.api.payloads_to(person.id)
        assert any(
            name in p.get("text", "") and "rectification plan" in p.get("text", "")
            for p in payloads
        )
    assert not any("rectification" in p.get("text", "") for p in app.api.payloads_to(stranger.id))
    assert (
        await count_rows(
            services, AuditEntry, action="rectification_returned", reason="measure 2 is vague"
        )
        == 1
    )
    assert await count_rows(services, AuditEntry, action="rectification_approved") == 1

    [results] = await citizen.send("/results")
    assert "Rectification: approved, in progress, 0/2 done" in results.plain_text

    # Measure 1 (10 working days from 1 August: 15 August) is late on the 20th.
    app.clock.advance(dt.timedelta(days=19))
    [overdue] = await evaluator.send(f"/overdue {CZ}")
    assert (
        "measure 1 (due" in overdue.plain_text
        and "answer at the first window" in overdue.plain_text
    )
    [results] = await citizen.send("/results")
    assert "0/2 done, 1 overdue" in results.plain_text

    # Reported done (the first with a photo); the second completes the plan.
    await handler._replies(handler.user.send_photo(caption="/done 1 answered at window 1"), 1)
    assert handler.user.messages[-1].plain_text == plain(EN, "rectify.done_recorded", number="1")
    replies = await handler.send("/done 2 a second window opens on Mondays", count=2)
    assert replies[-1].plain_text == plain(EN, "rectify.completed", id=plan_id)
    [again] = await handler.send("/done 2 twice")
    assert again.plain_text == plain(EN, "rectify.error.not_approved", status="completed")

    # The completion notice asks each person concerned once, with the five levels.
    asked = [p for p in app.api.payloads_to(citizen.id) if "Are you satisfied" in p.get("text", "")]
    assert len(asked) == 1
    rows = asked[0]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows] == [f"rr:{plan_id}:{n}" for n in range(5)]
    notice = next(m for m in citizen.user.messages if "Are you satisfied" in m.plain_text)
    [closed] = await citizen.press(notice, f"rr:{plan_id}:0")
    assert closed.buttons == []
    assert citizen.toasts[-1] == plain(EN, "rectify.rated", level=t(EN, "level.very_satisfied"))
    notice = next(m for m in complainant.user.messages if "Are you satisfied" in m.plain_text)
    await complainant.press(notice, f"rr:{plan_id}:2")  # basically satisfied: (1.0 + 0.6) / 2

    [score] = await evaluator.send("/score wujin")
    assert "Rectification satisfaction: 80.0% (" in score.plain_text
    assert "2 people); appraisal satisfaction: 100.0%" in score.plain_text
    [results] = await citizen.send("/results")
    assert "Rectification: completed, 2/2 done · rectification satisfaction 80.0% (2 people)" in (
        results.plain_text
    )
    async with services.db.unit_of_work() as uow:
        pages = await published_pages(services.publish, uow, rectification=services.rectification)
    page = pages[f"{CZ}/en/wujin.html"]
    assert "open a second window on Mondays" in page and "a second window opens on Mondays" in page
    assert "Rectification satisfaction: 80.0% (2 people); appraisal satisfaction: 100.0%" in page
    assert "open a second window" not in pages[f"{CZ}/1/en/wujin.html"]  # as published


async def _plan_id(services, unit: int) -> int:
    from sqlalchemy import select

    async with services.db.unit_of_work() as uow:
        return int(
            (
                await uow.session.execute(
                    select(RectificationPlan.id).where(RectificationPlan.unit_id == unit)
                )
            ).scalar_one()
        )


async def test_a_long_plan_is_shown_in_several_messages(app: BotApp) -> None:
    services = app.services
    wujin = unit_id(services, "wujin")
    handler = Citizen(app, 7201, EN)
    await handler.send("/start")
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, handler.id, Role.HANDLER, wujin)
        plan = await services.rectification.open(uow, handler.id, wujin, EN)
        for n in range(30):
            line = f"{n} <b>" + "问题" * 300 + " | " + "措施" * 300 + " | 20"
            plan = await services.rectification.add_measure(uow, plan, line)
    shown = await handler.send("/plan", count=3)
    assert all(len(m.plain_text) <= 4096 for m in shown)
    assert "29. Problem: 28 <b>" in "".join(m.plain_text for m in shown)
    assert shown[-1].buttons and not shown[0].buttons  # Submit under the last
