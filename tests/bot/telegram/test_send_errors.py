"""Both adapters' outbox senders turn the Bot API's refusals, over real HTTP from the
local Bot API server, into the engine's one set of errors (bot/outbox/messages.py), so
the broadcaster and every delivery behave the same whichever framework runs."""

from __future__ import annotations

import pytest

from bot.app.runtime import open_services
from bot.core.clock import FixedClock
from bot.localapi import LocalBotAPI
from bot.outbox.messages import Blocked, Failed, Outgoing, RateLimited
from bot.telegram.frontends import make_frontend
from tests.storage.conftest import sqlite_url

from .conftest import CAMPAIGNS, SURVEY_DAY


@pytest.fixture
async def sender(tmp_path, framework: str):
    """The adapter's outbox sender over a local Bot API server (with one user)."""
    async with (
        LocalBotAPI() as api,
        open_services(sqlite_url(tmp_path / "e.db"), CAMPAIGNS, FixedClock.on_day(SURVEY_DAY))
        as services,
    ):  # fmt: skip
        front = make_frontend(framework, api.token, api.base_url, services)
        api.user(7001)
        await front.startup()
        try:
            yield api, front.sender
        finally:
            await front.shutdown()
            await front.close()


async def test_429_403_400_and_5xx_become_the_engines_errors(sender) -> None:
    api, out = sender
    api.faults.rate_limit(0.001, retry_after=3)  # one message, then 429s
    await out.send(7001, Outgoing("<b>ok</b>"))  # delivered
    assert api.delivered_count(7001) == 1
    with pytest.raises(RateLimited) as limited:
        await out.send(7001, Outgoing("again"))
    assert limited.value.retry_after == 3
    api.faults.clear_rate_limits()

    api.faults.block(7001)
    with pytest.raises(Blocked):
        await out.send(7001, Outgoing("blocked"))
    api.faults.unblock(7001)

    with pytest.raises(Failed) as refused:
        await out.send(7001, Outgoing("<b>unclosed"))  # 400: can't parse entities
    assert not refused.value.transient

    api.faults.fail_next(1, 500)
    with pytest.raises(Failed) as server:
        await out.send(7001, Outgoing("five hundred"))
    assert server.value.transient
