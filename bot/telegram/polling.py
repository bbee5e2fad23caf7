"""`pingyi run`: the bot on long polling."""

from __future__ import annotations

from bot.app.config import Settings
from bot.app.runtime import background, services_from
from bot.telegram.app import make_bot, make_dispatcher
from bot.telegram.sender import BotSender


async def run_polling(settings: Settings) -> None:
    """Migrate, load campaigns, and poll until interrupted."""
    token = settings.require_token().get_secret_value()
    async with services_from(settings) as services:
        bot = make_bot(token, settings.telegram_api_base)
        dp = make_dispatcher(services)
        try:
            async with background(services, BotSender(bot, services)):
                await dp.start_polling(bot, handle_signals=True)
        finally:
            await bot.session.close()
