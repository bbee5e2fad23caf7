"""A broadcast to a few thousand people through the local Bot API server, with faults.

429s (the server's limit is below the outbox's rate), 403s (people who
blocked the bot), 5xx (one-off server errors), and the outbox killed
mid-way and resumed by a new one: every active recipient gets exactly one
message, blocked ones are marked inactive, and no sliding second carries more
send attempts than the configured rate.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app.services import Services
from bot.localapi import LocalBotAPI
from bot.outbox.queue import Outbox
from bot.telegram.aiogram.app import make_bot
from bot.telegram.aiogram.sender import BotSender
from storage.admin import Audience
from storage.models import Respondent

from .conftest import add_people, until

N = 2000
RATE = 200.0
FIRST = 50_000


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    async with LocalBotAPI() as server:
        yield server
        assert server.internal_errors == []


def _max_per_second(times: list[float]) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_killed_and_resumed_with_429_403_and_5xx(
    services: Services, api: LocalBotAPI
) -> None:
    ids = list(range(FIRST, FIRST + N))
    await add_people(services, ids)
    for uid in ids:
        api.user(uid)
    blocked = set(ids[5::40])  # 50 people blocked the bot
    for uid in blocked:
        api.faults.block(uid)
    for uid in ids[7::100]:  # 20 chats fail once with a 500
        api.faults.fail_chat(uid, 500, times=1)
    api.faults.fail_next(15, 502, methods=["sendMessage"])
    api.faults.rate_limit(RATE * 0.75, retry_after=1)  # below our rate: 429s will come
    bot = make_bot(api.token, api.base_url)
    try:
        first = Outbox(services.db, services.clock, rate=RATE)
        job = await first.create(Audience("everyone"), {"zh-Hans": "<b>通知</b>：问卷已开放"})
        assert job is not None and job.total == N
        task = asyncio.create_task(first.run(BotSender(bot), until_idle=True))
        await until(lambda: first.sent >= N * 0.4 or task.done(), 60)
        assert not task.done()
        task.cancel()  # killed mid-way
        with contextlib.suppress(asyncio.CancelledError):
            await task
        delivered_at_kill = sum(api.delivered_counts().values())
        assert 0 < delivered_at_kill < N
        second = Outbox(services.db, services.clock, rate=RATE)  # as after a restart
        await asyncio.wait_for(second.run(BotSender(bot), until_idle=True), 60)
    finally:
        await bot.session.close()

    counts = api.delivered_counts()
    active = [uid for uid in ids if uid not in blocked]
    assert [uid for uid in active if counts.get(uid, 0) != 1] == []
    assert all(counts.get(uid, 0) == 0 for uid in blocked)
    assert api.faults.rate_limited > 0 and api.faults.forbidden >= len(blocked)
    assert api.faults.server_errors >= 15 + 20
    async with services.db.unit_of_work() as uow:
        inactive = set(
            (
                await uow.session.execute(select(Respondent.id).where(Respondent.active.is_(False)))
            ).scalars()
        )
    assert inactive == blocked
    progress = await second.progress(job.job_id)
    assert progress.status == "done"
    assert (progress.count("sent"), progress.count("blocked")) == (len(active), len(blocked))
    attempts = [c.timestamp for c in api.calls if c.method == "sendMessage"]
    assert _max_per_second(attempts) <= RATE
