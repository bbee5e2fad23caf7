"""The webhook: refused without the secret (nothing stored), stored before 200, a
redelivered update handled once — delivered by the local Bot API like Telegram."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from pydantic import SecretStr

from bot.app import metrics
from bot.app.inbox import incoming
from bot.app.runtime import open_services
from bot.app.services import Services
from bot.app.webserver import SECRET_HEADER, BotServer, ServerSettings
from bot.core.clock import FixedClock
from bot.localapi import LocalBotAPI
from bot.telegram.common.flood import unhurried
from bot.telegram.common.frontend import Frontend
from bot.telegram.common.intake import dispatching
from bot.telegram.frontends import make_frontend

from .conftest import CAMPAIGNS, FAST_WORKER, WAIT, HandledUpdates

SECRET = "s3cret-Token_1"


@dataclass
class Hooked:
    """A bot served by webhook from a local Bot API."""

    api: LocalBotAPI
    services: Services
    front: Frontend
    server: BotServer
    updates: HandledUpdates

    @property
    def url(self) -> str:
        """The webhook's address."""
        return f"http://127.0.0.1:{self.server.port}/telegram"


@contextlib.asynccontextmanager
async def hooked(
    api: LocalBotAPI, db_url: str, clock: FixedClock, framework: str
) -> AsyncIterator[Hooked]:
    """Services, adapter, worker and webhook server; the webhook registered."""
    async with open_services(db_url, CAMPAIGNS, clock) as services:
        front = make_frontend(framework, api.token, api.base_url, services)
        updates = HandledUpdates()
        updates.install(front)
        front.gate.flood = unhurried()
        try:
            async with dispatching(front, services.inbox, FAST_WORKER) as worker:
                settings = ServerSettings(port=0, secret=SecretStr(SECRET))
                server = BotServer(services.inbox, worker.wake, settings)
                await server.start()
                try:
                    running = Hooked(api, services, front, server, updates)
                    await front.set_webhook(running.url, SECRET, 100)
                    yield running
                    await front.delete_webhook()
                finally:
                    await server.stop()
        finally:
            await front.close()


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(
    api: LocalBotAPI, db_url: str, clock: FixedClock, framework: str
) -> None:
    async with hooked(api, db_url, clock, framework) as hook, aiohttp.ClientSession() as http:
        before = metrics.REJECTED._value.get()
        update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/start",
                  "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": False,
                  "first_name": "x"}}}  # fmt: skip
        for headers in ({SECRET_HEADER: "wrong"}, {}, {SECRET_HEADER: SECRET + "x"}):
            async with http.post(hook.url, json=update, headers=headers) as response:
                assert response.status == 401
        assert metrics.REJECTED._value.get() == before + 3
        depth = await hook.services.inbox.depth()
        assert (depth.pending, depth.parked) == (0, 0)
        assert hook.updates.finished[999] == 0


async def test_updates_come_by_webhook_and_a_redelivery_is_handled_once(
    api: LocalBotAPI, db_url: str, clock: FixedClock, framework: str
) -> None:
    async with hooked(api, db_url, clock, framework) as hook:
        assert api.webhook is not None
        assert api.webhook.url == hook.url and api.webhook.max_connections == 100
        citizen = api.user(7001, first_name="市民")
        update_id = await citizen.send_text("/start")
        await hook.updates.wait(update_id)
        reply = await citizen.wait_for(timeout=WAIT)
        assert reply.from_bot
        sent = api.delivered_count(citizen.id)
        api.redeliver(update_id)
        await api.wait_until(lambda: api.updates.pending == 0, "the redelivery answered 200")
        assert api.webhook is not None and api.webhook.stats.statuses == {200: 2}
        assert hook.updates.finished[update_id] == 1
        assert (await hook.services.inbox.depth()).pending == 0
        assert api.delivered_count(citizen.id) == sent


async def test_health_readiness_and_metrics_on_the_same_server(
    api: LocalBotAPI, db_url: str, clock: FixedClock, framework: str
) -> None:
    async with hooked(api, db_url, clock, framework) as hook, aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{hook.server.port}"
        citizen = api.user(7002)
        await hook.updates.wait(await citizen.send_text("/start"))
        async with http.get(base + "/healthz") as response:
            assert response.status == 200
        async with http.get(base + "/readyz") as response:
            assert response.status == 200 and await response.text() == "ready\n"
        async with http.get(base + "/metrics") as response:
            text = await response.text()
        assert 'pingyi_updates_received_total{source="webhook"}' in text
        assert "pingyi_update_handling_seconds_bucket" in text
        assert "pingyi_inbox_pending 0.0" in text
        await hook.services.inbox.store([incoming({"update_id": 10**9, "message": {}})])
        hook.server.settings = ServerSettings(port=0, secret=SecretStr(SECRET), max_lag=0.0)
        async with http.get(base + "/readyz") as response:  # the inbox lags: not ready
            assert response.status == 503 and "inbox lag" in await response.text()
