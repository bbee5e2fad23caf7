"""`pingyi run`: the bot on long polling or on a webhook, through the durable inbox, with
the adapter `TELEGRAM_FRAMEWORK` names (bot/telegram/frontends.py)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from bot.app.config import ConfigError, Settings
from bot.app.runtime import background_once, services_from, worker_settings
from bot.app.services import Services
from bot.app.webserver import BotServer, ServerSettings
from bot.publish.web import PublicSite
from bot.telegram.common.frontend import Frontend
from bot.telegram.common.intake import dispatching, polling_through_inbox
from bot.telegram.frontends import make_frontend
from storage.migrate import at_head

log = logging.getLogger(__name__)


async def until_signalled() -> None:
    """Return on SIGINT or SIGTERM (a supervisor's stop, Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def run_worker(settings: Settings, several: bool = True) -> None:
    """Take updates from the inbox only (another process polls): `--workers` on polling."""
    token = settings.require_token().get_secret_value()
    async with services_from(settings) as services:
        front = make_frontend(
            settings.telegram_framework, token, settings.telegram_api_base, services
        )
        try:
            async with (
                background_once(services, front.sender),
                dispatching(front, services.inbox, worker_settings(settings), several),
            ):
                await until_signalled()
        finally:
            await front.close()


async def run_polling(settings: Settings, several: bool = False) -> None:
    """Migrate, load campaigns, and poll until interrupted.

    Each batch from getUpdates is stored in the inbox before the next call
    acknowledges it; on a signal, polling stops, in-flight updates finish and the
    rest stay in the inbox for the next start.
    """
    token = settings.require_token().get_secret_value()
    async with services_from(settings) as services:
        front = make_frontend(
            settings.telegram_framework, token, settings.telegram_api_base, services
        )
        site = None
        if settings.public_site_port is not None:
            site = PublicSite(
                services.db,
                services.publish,
                settings.public_site_host,
                settings.public_site_port,
                rectification=services.rectification,
            )
            await site.start()
        try:
            async with (
                background_once(services, front.sender),
                polling_through_inbox(
                    front, services.inbox, worker_settings(settings), several=several
                ),
            ):
                await until_signalled()
        finally:
            if site is not None:
                await site.stop()
            await front.close()


def server_settings(settings: Settings, reuse_port: bool = False) -> ServerSettings:
    """The webhook server's settings."""
    return ServerSettings(
        host=settings.webhook_host,
        port=settings.webhook_port,
        path=settings.webhook_path,
        secret=settings.webhook_secret,
        max_lag=settings.ready_max_lag_seconds,
        reuse_port=reuse_port,
    )


def bot_server(
    services: Services, settings: Settings, wake: Callable[[], None], reuse: bool
) -> BotServer:
    """The HTTP server storing webhook updates into the services' inbox."""
    db = services.db

    async def migrated() -> bool:
        return await at_head(db.engine, db.url)

    return BotServer(
        services.inbox, wake, server_settings(settings, reuse), migrated, services.outbox.store
    )


async def run_webhook(
    settings: Settings, *, register: bool = True, reuse_port: bool = False, several: bool = False
) -> None:
    """Serve the webhook until interrupted: register it with Telegram (`register`), store
    each update before answering 200, feed stored updates to the dispatcher.

    On a signal the server stops accepting (Telegram redelivers what it could not
    give), in-flight updates finish, and whatever waits stays in the inbox.
    """
    if not settings.webhook_url:
        raise ConfigError("error: WEBHOOK_URL: required for --webhook (the public HTTPS URL)")
    token = settings.require_token().get_secret_value()
    async with services_from(settings) as services:
        front = make_frontend(
            settings.telegram_framework, token, settings.telegram_api_base, services
        )
        try:
            async with (
                background_once(services, front.sender),
                dispatching(front, services.inbox, worker_settings(settings), several) as worker,
            ):
                server = bot_server(services, settings, worker.wake, reuse_port)
                await server.start()
                log.info("%s serves the webhook on port %s", worker.name, server.port)
                try:
                    if register:
                        await register_webhook(front, settings)
                    await until_signalled()
                finally:
                    await server.stop()
        finally:
            await front.close()


async def register_webhook(front: Frontend, settings: Settings) -> None:
    """setWebhook with the secret token, the connection limit and the update types used."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    url = (settings.webhook_url or "").rstrip("/") + settings.webhook_path
    await front.set_webhook(url, secret, settings.webhook_max_connections)
