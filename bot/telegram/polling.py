"""`pingyi run`: the bot on long polling."""

from __future__ import annotations

from bot.config import Settings
from bot.runtime import clock_from, open_services
from bot.telegram.app import make_bot, make_dispatcher


async def run_polling(settings: Settings) -> None:
    """Migrate, load campaigns, and poll until interrupted."""
    token = settings.require_token().get_secret_value()
    clock = clock_from(settings)
    async with open_services(
        settings.database_url, settings.campaigns_dir, clock, settings.default_locale
    ) as services:
        bot = make_bot(token, settings.telegram_api_base)
        dp = make_dispatcher(services)
        try:
            await dp.start_polling(bot, handle_signals=True)
        finally:
            await bot.session.close()
