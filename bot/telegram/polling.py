"""`pingyi run`: the bot on long polling, through the durable inbox."""

from __future__ import annotations

import asyncio
import signal

from bot.app.config import Settings
from bot.app.runtime import background, services_from, worker_settings
from bot.publish.web import PublicSite
from bot.telegram.app import make_bot, make_dispatcher
from bot.telegram.intake import polling_through_inbox
from bot.telegram.sender import BotSender


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


async def run_polling(settings: Settings) -> None:
    """Migrate, load campaigns, and poll until interrupted.

    Each batch from getUpdates is stored in the inbox before the next call
    acknowledges it; on a signal, polling stops, in-flight updates finish and the
    rest stay in the inbox for the next start.
    """
    token = settings.require_token().get_secret_value()
    async with services_from(settings) as services:
        bot = make_bot(token, settings.telegram_api_base)
        dp = make_dispatcher(services)
        site = None
        if settings.public_site_port is not None:
            site = PublicSite(
                services.db, services.publish, settings.public_site_host, settings.public_site_port
            )
            await site.start()
        try:
            async with (
                background(services, BotSender(bot, services)),
                polling_through_inbox(dp, bot, services.inbox, worker_settings(settings)),
            ):
                await until_signalled()
        finally:
            if site is not None:
                await site.stop()
            await bot.session.close()
