"""`pingyi run`'s checks before anything starts: Telegram knows the token, the database opens.

Each failure becomes a StartupError whose message is one line naming the setting
to fix; `pingyi --debug run` also prints the trace (bot/telegram/preflight.py keeps the
token out of the messages; bot/cli/main.py redacts it from traces).
"""

from __future__ import annotations

from bot.app.config import Settings
from bot.campaign.loader import load_campaigns
from bot.cli.failures import CommandFailed
from storage.health import DatabaseUnavailable, check_database


class StartupError(CommandFailed):
    """The bot cannot start; `str()` is the one line to print."""


async def preflight(settings: Settings) -> None:
    """Check the campaign files, ask the Bot API who we are, then open the database.

    Local checks go first, then Telegram, because neither changes anything, while
    opening the database may create a SQLite file.  A bad campaign file raises
    CampaignFileError; the rest StartupError.
    """
    from bot.telegram.aiogram.preflight import (  # aiogram: lazily
        TelegramUnavailable,
        check_telegram,
    )

    load_campaigns(settings.campaigns_dir)
    token = settings.require_token().get_secret_value()
    try:
        await check_telegram(token, settings.telegram_api_base)
    except TelegramUnavailable as exc:
        raise StartupError(str(exc)) from exc
    try:
        await check_database(settings.database_url)
    except DatabaseUnavailable as exc:
        raise StartupError(str(exc)) from exc
