"""The first call to the Bot API, made before anything else starts: is the token good?

A failure becomes TelegramUnavailable, whose message is one line naming the setting
to fix.  The token never appears in it: the messages are written here, and what is
quoted from aiogram is redacted.
"""

from __future__ import annotations

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)

from bot.app.config import redact
from bot.telegram.aiogram.app import make_bot

GET_ME_TIMEOUT = 15  # seconds for the first call to the Bot API


class TelegramUnavailable(Exception):
    """getMe failed; `str()` is the one line to print."""


async def check_telegram(token: str, base: str) -> str:
    """`getMe` with `token` at `base`: the bot's username, or TelegramUnavailable saying
    what is wrong."""
    bot = make_bot(token, base)
    try:
        me = await bot.get_me(request_timeout=GET_ME_TIMEOUT)
        return me.username or ""
    except TelegramAPIError as exc:
        raise TelegramUnavailable(redact(_telegram_problem(exc, base), token)) from exc
    finally:
        await bot.session.close()


def _telegram_problem(exc: TelegramAPIError, base: str) -> str:
    """One line for a failed getMe."""
    if isinstance(exc, TelegramUnauthorizedError):
        return (
            f"start-up error: BOT_TOKEN: the Bot API at {base} rejected it (401 Unauthorized);"
            " copy the token again from @BotFather"
        )
    if isinstance(exc, TelegramNotFound):
        return (
            f"start-up error: BOT_TOKEN or TELEGRAM_API_BASE: {base} answered 404 Not Found"
            " (no such bot there)"
        )
    if isinstance(exc, TelegramNetworkError):
        reason = " ".join(exc.message.split())[:200]
        return f"start-up error: TELEGRAM_API_BASE: cannot reach the Bot API at {base}: {reason}"
    reason = " ".join(exc.message.split())[:200]
    return f"start-up error: the Bot API at {base} refused getMe: {reason}"
