"""Reminders and escalation exactly once across a restart; drafts that survive bad input
and restarts — through the real bot and the local Bot API server."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import FixedClock
from bot.i18n import t
from tests.bot.telegram.helpers import Citizen, plain, unit_id

from .conftest import CENTRE_ID, ComplaintApp
from .test_lifecycle import (
    assert_private,
    citizen,
    complaint_row,
    draft_data,
    file_complaint,
    register_handler,
)

ZH = "zh-Hans"


async def notices(app: ComplaintApp) -> int:
    """One round of the reminder/escalation task (as the background loop runs it)."""
    sent = await app.services.send_due_notices()
    await app.services.outbox.settled(timeout=30)
    return sent


async def test_reminder_and_escalation_are_sent_once_across_a_restart(
    app: ComplaintApp, clock: FixedClock
) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    tracking = await file_complaint(citizen(app), "wujin", "办事拖拉,材料交了一个月没消息。")
    reminder = plain(ZH, "complaint.note.reminder")
    overdue = plain(ZH, "complaint.note.overdue")

    def count(person: Citizen, text: str) -> int:
        return sum(text in m.plain_text for m in person.user.messages)

    # Due Monday 8 August; nothing before Friday 5 August, 09:00 (the working day before).
    clock.set(dt.datetime(2011, 8, 5, 8, 59))
    assert await notices(app) == 0
    clock.set(dt.datetime(2011, 8, 5, 9, 30))
    assert await notices(app) == 1
    assert count(handler, reminder) == 1 and tracking in handler.user.messages[-1].plain_text
    assert await notices(app) == 0
    await app.restart()
    assert await notices(app) == 0
    assert count(handler, reminder) == 1

    # Monday 8 August 23:59:59 is still in time; Tuesday it is overdue and escalated.
    clock.set(dt.datetime(2011, 8, 8, 23, 0))
    assert await notices(app) == 0
    clock.set(dt.datetime(2011, 8, 9, 9, 0))
    assert await notices(app) == 2  # the centre's card and the handlers' notice
    assert count(centre, overdue) == 1
    row = await complaint_row(app, tracking)
    assert row.overdue and row.escalated_at is not None
    await app.restart()
    assert await notices(app) == 0
    assert count(centre, overdue) == 1 and count(handler, reminder) == 1
    assert_private(app, handler.id)
    assert_private(app, CENTRE_ID)


async def test_bad_input_keeps_the_draft_and_a_restart_resumes_it(app: ComplaintApp) -> None:
    person = citizen(app)
    centre = Citizen(app, CENTRE_ID, first_name="Centre")  # no handler for wujin: it triages
    services = app.services
    rules = services.registry.campaigns["changzhou-2011-safety"].complaints
    assert rules is not None
    limit = rules.max_text_length
    [picker] = await person.send("/complain")
    [kind] = await person.press(picker, draft_data("unit", unit_id(services, "wujin")))
    await person.press(kind, draft_data("kind", 3))
    # Too long: refused with the limit, nothing lost.
    replies = await person.send("长" * (limit + 1), count=2)
    assert (
        plain(ZH, "complaint.bad.too_long", limit=limit, length=limit + 1) in replies[0].plain_text
    )
    await person.send("拖了一个月。")
    # An unsupported file, then too many attachments.
    replies = await person._replies(person.user.send_document("a.zip", b"PK", "application/zip"), 1)
    assert t(ZH, "complaint.bad.unsupported") in replies[0].plain_text
    for _ in range(5):
        await person.send_photo(count=2)
    replies = await person.send_photo(count=2)
    assert plain(ZH, "complaint.bad.too_many", limit=5) in replies[0].plain_text

    # A restart in the middle: typed text still belongs to the draft, /complain resumes it.
    await app.restart()
    [resumed] = await person.send("/complain")
    assert plain(ZH, "complaint.resumed") in resumed.plain_text
    assert plain(ZH, "complaint.evidence", count=5, limit=5) in resumed.plain_text
    await person.press(resumed, draft_data("done"))
    [review] = await person.send("电话 13800000000")
    assert "13800000000" in review.plain_text and "拖了一个月" in review.plain_text
    # The survey's text handler did not take the typed text.
    assert t(ZH, "common.unknown") not in person.user.transcript()

    # A unit outside the campaign (a forged press): refused, the draft kept.
    [picker] = await person.press(review, draft_data("edit", 0))
    nantong = max(services.registry.units_by_id)  # a unit of the other campaign
    found = services.registry.unit(nantong)
    assert found is not None and found[0].id != "changzhou-2011-safety"
    query = app.api.new_callback_query(person.user.profile, picker, draft_data("unit", nantong))
    await app.handled(app.api.push_update("callback_query", query))
    assert t(ZH, "complaint.bad.foreign_unit") in person.toasts
    [review] = await person.press(picker, draft_data("unit", unit_id(services, "wujin")))
    [filed] = await person.press(review, draft_data("submit"))
    assert "TS11-" in filed.plain_text
    [mine] = await person.send("/mycomplaints")
    assert "TS11-" in mine.plain_text and "2011年8月8日" in mine.plain_text
    assert "13800000000" in app.api.outgoing_text(centre.id)  # the contact the citizen chose
    assert_private(app, centre.id)
