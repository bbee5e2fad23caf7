"""The bot's HTTP server: the Telegram webhook, /healthz, /readyz and /metrics.

Framework-neutral: a webhook request is checked against the secret token
(constant-time), its raw JSON stored in the inbox, and only then answered 200, so
Telegram redelivers anything not durably stored.  A worker (bot/app/inbox.py)
takes it from there.  Several processes may listen on one port (`reuse_port`).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr

from bot.app import metrics
from bot.app.inbox import incoming
from bot.core.clock import SystemClock
from storage.inbox import Inbox
from storage.outbox import OutboxStore

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHUTDOWN_GRACE = 10.0  # seconds in-flight requests may take once stopping


@dataclass(frozen=True)
class ServerSettings:
    """Where to listen, the webhook's path and secret, /readyz's lag bound."""

    host: str = "127.0.0.1"
    port: int = 8080
    path: str = "/telegram"
    secret: SecretStr | None = None
    max_lag: float = 60.0
    reuse_port: bool = False


class BotServer:
    """aiohttp app with the webhook route and the operations routes."""

    def __init__(
        self,
        inbox: Inbox,
        wake: Callable[[], None],
        settings: ServerSettings,
        at_head: Callable[[], Awaitable[bool]] | None = None,
        outbox: OutboxStore | None = None,
    ) -> None:
        """Store into `inbox`, then `wake()` the local worker; `outbox`'s counts go to
        /metrics."""
        self.inbox, self.wake, self.settings, self.at_head = inbox, wake, settings, at_head
        self.outbox = outbox
        self._secret = (settings.secret.get_secret_value() if settings.secret else "").encode()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = settings.port

    def app(self) -> web.Application:
        """The routes."""
        app = web.Application()
        app.router.add_post(self.settings.path, self._update)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def start(self) -> None:
        """Listen (port 0 picks a free one, then `port` says which)."""
        s = self.settings
        runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
        await runner.setup()
        site = web.TCPSite(runner, s.host, s.port, reuse_port=s.reuse_port or None)
        await site.start()
        self.port = runner.addresses[0][1]
        self._runner = runner

    async def stop(self) -> None:
        """Stop accepting; requests in flight finish (their updates stored or not acked)."""
        self._closing = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _secret_ok(self, request: web.Request) -> bool:
        """Constant-time comparison of the header with the secret (none set: anything)."""
        if not self._secret:
            return True
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _update(self, request: web.Request) -> web.Response:
        """Store the update, then 200; anything else makes Telegram send it again."""
        if not self._secret_ok(request):
            metrics.REJECTED.inc()
            return web.Response(status=401)
        if self._closing:
            return web.Response(status=503)
        try:
            raw = json.loads(await request.read())
            item = incoming(raw)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        await self.inbox.store([item])
        metrics.RECEIVED.labels("webhook").inc()
        self.wake()
        return web.Response(status=200)

    async def _healthz(self, request: web.Request) -> web.Response:
        """Alive: the event loop answers."""
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        """Ready: the database answers, migrations are at head, the inbox keeps up."""
        problems: list[str] = []
        try:
            depth = await self.inbox.depth()
            if depth.oldest is not None:
                lag = (SystemClock().now() - depth.oldest).total_seconds()
                if lag > self.settings.max_lag:
                    problems.append(f"inbox lag {lag:.0f}s")
            if self.at_head is not None and not await self.at_head():
                problems.append("migrations not at head")
        except Exception as exc:  # the database is away: not ready, say why
            problems.append(f"database: {type(exc).__name__}")
        if problems:
            return web.Response(status=503, text="; ".join(problems) + "\n")
        return web.Response(text="ready\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        """Prometheus text format; the inbox and outbox gauges are read now."""
        try:
            depth = await self.inbox.depth()
            metrics.INBOX_DEPTH.set(depth.pending)
            metrics.INBOX_PARKED.set(depth.parked)
            age = (SystemClock().now() - depth.oldest).total_seconds() if depth.oldest else 0.0
            metrics.INBOX_AGE.set(age)
            if self.outbox is not None:
                metrics.outbox_totals(await self.outbox.totals())
        except Exception:
            log.warning("inbox and outbox gauges not refreshed", exc_info=True)
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
