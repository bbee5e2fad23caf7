"""`pingyi run`: the bot on long polling."""

from __future__ import annotations

from bot.app.config import Settings
from bot.app.runtime import background, services_from
from bot.publish.web import PublicSite
from bot.telegram.app import make_bot, make_dispatcher
from bot.telegram.sender import BotSender


async def run_polling(settings: Settings) -> None:
    """Migrate, load campaigns, and poll until interrupted."""
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
            async with background(services, BotSender(bot, services)):
                await dp.start_polling(bot, handle_signals=True)
        finally:
            if site is not None:
                await site.stop()
            await bot.session.close()
