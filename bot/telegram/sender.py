"""The broadcaster's `Sender` over aiogram: Bot API errors → the engine's SendError kinds."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.admin.broadcast import Blocked, Failed, InDoubt, Outgoing, RateLimited


class BotSender:
    """Sends one broadcast message with an aiogram Bot."""

    def __init__(self, bot: Bot) -> None:
        """Use `bot`'s session (HTML parse mode by default)."""
        self.bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> None:
        """Send, translating errors: 429 → RateLimited, 403 → Blocked, 5xx → transient."""
        try:
            await self._send(chat_id, message)
        except TelegramRetryAfter as exc:
            raise RateLimited(exc.retry_after) from None
        except TelegramForbiddenError as exc:
            raise Blocked(exc.message) from None
        except TelegramServerError as exc:
            raise Failed(exc.message, transient=True) from None
        except (TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError) as exc:
            raise Failed(exc.message, transient=False) from None
        except (TimeoutError, TelegramNetworkError) as exc:
            # The request may have reached Telegram: at most once, so not retried.
            raise InDoubt(str(exc)) from None

    async def _send(self, chat_id: int, message: Outgoing) -> None:
        if message.media_kind == "photo" and message.media_file_id:
            await self.bot.send_photo(chat_id, message.media_file_id, caption=message.text)
        elif message.media_kind == "document" and message.media_file_id:
            await self.bot.send_document(chat_id, message.media_file_id, caption=message.text)
        else:
            await self.bot.send_message(chat_id, message.text)
