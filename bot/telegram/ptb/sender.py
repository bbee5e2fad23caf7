"""The outbox's sender over python-telegram-bot (the shared part:
bot/telegram/common/sender.py): PTB's errors → the engine's one set."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.app.services import Services
from bot.outbox.messages import Blocked, Failed, InDoubt, RateLimited, SendError
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.sender import OutboxSender
from bot.telegram.ptb.replies import markup_of

# PTB raises NetworkError both for a 5xx answer and for a request that never got one;
# the latter's message names the HTTP library (bot/telegram/ptb/sender.py's `_translate`).
TRANSPORT_FAILURES = ("httpx", "Unknown error in HTTP implementation")


class PtbSender(OutboxSender):
    """Sends the outbox's messages with a PTB Bot (HTML parse mode by default)."""

    def __init__(self, bot: Bot, services: Services | None = None) -> None:
        """Use `bot`; `services` give the language of a job's author."""
        super().__init__(services)
        self.bot = bot

    async def _send_text(self, chat_id: int, text: str, markup: Keyboard | None) -> None:
        await self.bot.send_message(chat_id, text, reply_markup=markup_of(markup))

    async def _send_file(
        self, chat_id: int, kind: str, file_id: str, caption: str, markup: Keyboard | None
    ) -> None:
        if kind == "photo":
            await self.bot.send_photo(
                chat_id, file_id, caption=caption, reply_markup=markup_of(markup)
            )
        else:
            await self.bot.send_document(
                chat_id, file_id, caption=caption, reply_markup=markup_of(markup)
            )

    async def _upload_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str, markup: Keyboard | None
    ) -> None:
        photo = InputFile(data, filename=filename)
        await self.bot.send_photo(chat_id, photo, caption=caption, reply_markup=markup_of(markup))

    async def _edit_text(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None:
        await self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup_of(markup)
        )

    def _translate(self, exc: Exception) -> SendError | None:
        """429 → RateLimited, 403 → Blocked, 4xx → Failed, 5xx → transient, network → InDoubt."""
        if isinstance(exc, RetryAfter):
            return RateLimited(_seconds(exc))
        if isinstance(exc, Forbidden):
            return Blocked(exc.message)
        if isinstance(exc, BadRequest | InvalidToken | EndPointNotFound):
            return Failed(exc.message, transient=False)
        if isinstance(exc, TimedOut | TimeoutError):
            return InDoubt(str(exc))
        if isinstance(exc, NetworkError):
            if exc.message.startswith(TRANSPORT_FAILURES):
                return InDoubt(exc.message)
            return Failed(exc.message, transient=True)
        if isinstance(exc, TelegramError):
            return Failed(exc.message, transient=False)
        return None


def _seconds(exc: RetryAfter) -> float:
    """A RetryAfter's wait in seconds: PTB 22 gives an int, or a timedelta when
    PTB_TIMEDELTA is set (and warns that the int is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
