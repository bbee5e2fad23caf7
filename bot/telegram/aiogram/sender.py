"""The outbox's sender over aiogram (the shared part: bot/telegram/common/sender.py)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile

from bot.app.services import Services
from bot.outbox.messages import Blocked, Failed, InDoubt, RateLimited, SendError
from bot.telegram.aiogram.replies import markup_of
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.sender import OutboxSender


class BotSender(OutboxSender):
    """Sends the outbox's messages with an aiogram Bot (HTML parse mode by default)."""

    def __init__(self, bot: Bot, services: Services | None = None) -> None:
        """Use `bot`'s session; `services` give the language of a job's author."""
        super().__init__(services)
        self.bot = bot

    async def _send_text(self, chat_id: int, text: str, markup: Keyboard | None) -> None:
        await self.bot.send_message(chat_id, text, reply_markup=markup_of(markup))

    async def _send_file(
        self, chat_id: int, kind: str, file_id: str, caption: str, markup: Keyboard | None
    ) -> None:
        call = self.bot.send_photo if kind == "photo" else self.bot.send_document
        await call(chat_id, file_id, caption=caption, reply_markup=markup_of(markup))

    async def _upload_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str, markup: Keyboard | None
    ) -> None:
        photo = BufferedInputFile(data, filename)
        await self.bot.send_photo(chat_id, photo, caption=caption, reply_markup=markup_of(markup))

    async def _edit_text(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None:
        await self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup_of(markup)
        )

    def _translate(self, exc: Exception) -> SendError | None:
        """429 → RateLimited, 403 → Blocked, 5xx → transient, 4xx → Failed, network → InDoubt."""
        if isinstance(exc, TelegramRetryAfter):
            return RateLimited(exc.retry_after)
        if isinstance(exc, TelegramForbiddenError):
            return Blocked(exc.message)
        if isinstance(exc, TelegramServerError):
            return Failed(exc.message, transient=True)
        if isinstance(exc, TelegramBadRequest | TelegramNotFound | TelegramUnauthorizedError):
            return Failed(exc.message, transient=False)
        if isinstance(exc, TimeoutError | TelegramNetworkError):
            return InDoubt(str(exc))
        if isinstance(exc, TelegramAPIError):
            return Failed(exc.message, transient=False)
        return None
