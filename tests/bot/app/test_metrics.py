"""/metrics shows what operations need, with the right values once provoked: the
writer's batch sizes, Bot API calls by method and result, the outbox's messages by
state, the scorer's refresh times and which process leads the background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram.exceptions import TelegramAPIError
from prometheus_client.parser import text_string_to_metric_families

from bot.app.leader import Leadership, elected
from bot.app.runtime import open_services
from bot.app.services import Services
from bot.app.webserver import BotServer, ServerSettings
from bot.core.clock import FixedClock, SystemClock
from bot.localapi import LocalBotAPI
from bot.telegram.aiogram.app import make_bot
from storage.inbox import Incoming
from storage.leases import Leases
from storage.outbox import Single
from tests.bot.telegram.conftest import CAMPAIGNS, SURVEY_DAY
from tests.storage.conftest import sqlite_url

WAIT = 60.0


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Services, BotServer]]:
    """The services on a SQLite file, and the bot's HTTP server over them."""
    clock = FixedClock.on_day(SURVEY_DAY)
    async with open_services(sqlite_url(tmp_path / "pingyi.db"), CAMPAIGNS, clock) as services:
        server = BotServer(
            services.inbox, lambda: None, ServerSettings(port=0), outbox=services.outbox.store
        )
        await server.start()
        try:
            yield services, server
        finally:
            await server.stop()


async def scrape(server: BotServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics, parsed: (sample name, sorted labels) → value."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}/metrics") as response,
    ):
        assert response.status == 200
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    """One sample's value (0 if absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_writer_batches_are_measured(served: tuple[Services, BotServer]) -> None:
    services, server = served
    writer = services.db.writer
    before, batches, jobs = await scrape(server), writer.batches, writer.jobs
    # Twenty units of work at once: the writer commits them in one or a few batches.
    await asyncio.gather(
        *(
            services.inbox.store([Incoming(n, 7, json.dumps({"update_id": n}))])
            for n in range(1, 21)
        )
    )
    after = await scrape(server)
    count = value(after, "pingyi_writer_batch_size_count") - value(
        before, "pingyi_writer_batch_size_count"
    )
    total = value(after, "pingyi_writer_batch_size_sum") - value(
        before, "pingyi_writer_batch_size_sum"
    )
    # The scrape itself writes nothing; what the writer committed meanwhile is counted.
    assert count == writer.batches - batches and total == writer.jobs - jobs
    assert total >= 20 and count < total  # some units of work shared a transaction


async def test_bot_api_calls_by_method_and_result(served: tuple[Services, BotServer]) -> None:
    _, server = served
    async with LocalBotAPI() as api:
        bot = make_bot(api.token, api.base_url)
        for uid in (1, 2):
            api.user(uid)
        api.faults.block(2)
        before = await scrape(server)
        try:
            await bot.send_message(1, "ok")
            for call in (
                bot.send_message(2, "blocked"),  # 403
                bot.send_message(1, "<b>unclosed"),  # 400: bad HTML
            ):
                with contextlib.suppress(TelegramAPIError):
                    await call
            api.faults.fail_next(1, 500, methods=["sendMessage"])
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(1, "server error")  # other
            api.faults.rate_limit(0.001, retry_after=1)
            await bot.send_message(1, "the last one allowed")
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(1, "too many")  # 429
        finally:
            await bot.session.close()
    after = await scrape(server)

    def delta(result: str) -> float:
        name, method = "pingyi_bot_api_calls_total", "sendMessage"
        return value(after, name, method=method, result=result) - value(
            before, name, method=method, result=result
        )

    assert [delta(r) for r in ("ok", "403", "400", "other", "429")] == [2, 1, 1, 1, 1]


async def test_outbox_messages_by_state(served: tuple[Services, BotServer]) -> None:
    services, server = served
    await services.outbox.enqueue([Single(chat, "zh-Hans", "通知") for chat in (11, 12, 13)])
    samples = await scrape(server)
    assert value(samples, "pingyi_outbox_messages", kind="delivery", state="pending") == 3
    assert value(samples, "pingyi_outbox_messages", kind="delivery", state="sent") == 0


async def test_score_refresh_duration(served: tuple[Services, BotServer]) -> None:
    services, server = served
    name = "pingyi_score_refresh_seconds_count"
    before = value(await scrape(server), name, full="true")
    campaign = next(iter(services.registry.campaigns))
    report = await services.scoring.refresh(campaign, full=True)
    after = await scrape(server)
    assert value(after, name, full="true") == before + 1
    assert value(after, "pingyi_score_refresh_seconds_sum", full="true") >= report.seconds


async def test_background_leader(served: tuple[Services, BotServer]) -> None:
    services, server = served
    started = asyncio.Event()

    async def stop() -> None:
        started.clear()

    leadership = Leadership(Leases(services.db, SystemClock().now), started.set, stop)
    async with elected(leadership):
        async with asyncio.timeout(WAIT):
            await started.wait()
        assert value(await scrape(server), "pingyi_background_leader") == 1
    assert value(await scrape(server), "pingyi_background_leader") == 0
