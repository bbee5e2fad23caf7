"""The one outbox through the real bot and the local Bot API server: complaint deliveries
meet 429s and 403s, every send has its recorded outcome; and the runtime's stop()
leaves no background task behind."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from bot.core.clock import FixedClock
from bot.i18n import t
from bot.localapi import parse_html
from storage.models import BroadcastJob, BroadcastRecipient, Respondent
from storage.outbox import BLOCKED, DELIVERY, SENT
from tests.bot.complaints.conftest import CENTRE_ID, ComplaintApp, app  # noqa: F401
from tests.bot.complaints.test_lifecycle import citizen, file_complaint, register_handler
from tests.bot.telegram.conftest import (  # noqa: F401  (fixtures, used by name)
    allow_api_error,
    allowed_api_errors,
    api,
    clock,
    db_url,
)
from tests.bot.telegram.helpers import Citizen, wait_until

ZH = "zh-Hans"


async def deliveries(bot: ComplaintApp) -> list[tuple[int, str, int]]:
    """Every single delivery's recorded outcome: (chat, state, attempts), in queue order."""
    r, j = BroadcastRecipient, BroadcastJob
    query = (
        select(r.user_id, r.state, r.attempts)
        .join(j, j.id == r.job_id)
        .where(j.kind == DELIVERY)
        .order_by(j.id)
    )
    async with bot.services.db.unit_of_work() as uow:
        return [(int(u), str(s), int(a)) for u, s, a in await uow.session.execute(query)]


def received(person: Citizen, key: str) -> int:
    """How many messages in the person's chat carry the text of `key`."""
    text = parse_html(t(ZH, key)).text
    return sum(text in m.plain_text for m in person.user.messages)


async def test_a_429_on_a_complaint_escalation_is_retried_after_retry_after_and_arrives_once(
    app: ComplaintApp,  # noqa: F811
    clock: FixedClock,  # noqa: F811
    allow_api_error: Callable[[str], None],  # noqa: F811
) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    await file_complaint(citizen(app), "wujin", "办事拖拉,材料交了一个月没消息。")
    filed = await deliveries(app)
    assert filed and all(state == SENT for _, state, _ in filed)  # the card and the photo
    # Due Monday 8 August: past it, the escalation goes to the centre and the handler.
    # One message per 4 s for the whole bot: the second of the two must meet a 429.
    allow_api_error(r"sendMessage: Too Many Requests")
    app.api.faults.rate_limit(0.25, retry_after=1)
    clock.set(dt.datetime(2011, 8, 9, 10))
    started = asyncio.get_running_loop().time()
    assert await app.services.send_due_notices() == 2
    await app.services.outbox.settled(timeout=30)
    waited = asyncio.get_running_loop().time() - started
    app.api.faults.clear_rate_limits()
    assert app.api.faults.rate_limited >= 1 and app.services.outbox.rate_limited >= 1
    assert waited >= 1.0  # the retry waited out retry_after (1 s) at least once
    assert received(centre, "complaint.note.overdue") == 1
    overdue = [m for m in handler.user.messages if "TS11-" in m.plain_text]
    assert len(overdue) == 2  # the filed card, then the escalation: once each
    escalations = (await deliveries(app))[len(filed) :]
    assert sorted(chat for chat, _, _ in escalations) == sorted([CENTRE_ID, handler.id])
    assert all(state == SENT for _, state, _ in escalations)
    assert max(attempts for _, _, attempts in escalations) >= 2  # one was sent again


async def test_a_delivery_waiting_out_a_429_is_sent_after_a_restart_once(
    app: ComplaintApp,  # noqa: F811
    clock: FixedClock,  # noqa: F811
    allow_api_error: Callable[[str], None],  # noqa: F811
) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    await file_complaint(citizen(app), "wujin", "办事拖拉,材料交了一个月没消息。")
    filed = len(await deliveries(app))
    # One message, then a 429 asking for a minute: the second escalation must wait.
    allow_api_error(r"sendMessage: Too Many Requests")
    app.api.faults.rate_limit(0.001, retry_after=60)
    clock.set(dt.datetime(2011, 8, 9, 10))
    assert await app.services.send_due_notices() == 2
    expected = [("pending", 1), (SENT, 1)]  # the 429's outcome recorded: pending, tried once
    async with asyncio.timeout(30):
        while sorted((s, n) for _, s, n in (await deliveries(app))[filed:]) != expected:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert app.api.faults.rate_limited >= 1
    await app.restart()  # the queue is in the database: the new process sends what waits
    app.api.faults.clear_rate_limits()
    await app.services.outbox.settled(timeout=30)
    assert all(state == SENT for _, state, _ in (await deliveries(app))[filed:])
    assert received(centre, "complaint.note.overdue") == 1
    assert len([m for m in handler.user.messages if "TS11-" in m.plain_text]) == 2


async def test_a_403_on_a_complaint_delivery_marks_the_handler_inactive(
    app: ComplaintApp,  # noqa: F811
    allow_api_error: Callable[[str], None],  # noqa: F811
) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    allow_api_error(r"send(Message|Photo): Forbidden")
    app.api.faults.block(handler.id)
    tracking = await file_complaint(citizen(app), "wujin", "窗口工作人员推诿,让我跑了三趟。")
    assert tracking.startswith("TS11-")  # the citizen's own flow is unaffected
    outcomes = await deliveries(app)
    assert [chat for chat, _, _ in outcomes] == [handler.id] * 2  # the card, then the photo
    assert {state for _, state, _ in outcomes} == {BLOCKED}
    async with app.services.db.unit_of_work() as uow:
        person = await uow.session.get(Respondent, handler.id)
        assert person is not None and not person.active
    await wait_until(lambda: app.api.faults.forbidden >= 2, "both refused")


async def test_stop_leaves_no_background_task_running(app: ComplaintApp) -> None:  # noqa: F811
    services = app.services
    names = {"outbox", "complaint-notices", "admin-ticker", "score-refresh"}
    running = {task.get_name() for task in asyncio.all_tasks() if not task.done()}
    assert names <= running
    await app.stop()
    left = {task.get_name() for task in asyncio.all_tasks() if not task.done()}
    assert not names & left
    assert services.tasks == [] and services.adapter is None
