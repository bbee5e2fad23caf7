"""The outbox's sender over aiogram: Bot API errors → the engine's SendError kinds.

It is also where deliveries are rendered (text and keyboard in the recipient's
language, by the adapter's one keyboard builder) when they are queued, and
where a broadcast's status message is edited as it progresses.
"""

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
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.app.services import Services
from bot.complaints.screens import Delivery
from bot.i18n import t
from bot.outbox.messages import Blocked, Failed, InDoubt, Outgoing, RateLimited
from bot.telegram import keyboards_admin, render_admin, render_complaints
from storage.outbox import Progress


class BotSender:
    """Sends the outbox's messages with an aiogram Bot (HTML parse mode by default)."""

    def __init__(self, bot: Bot, services: Services | None = None) -> None:
        """Use `bot`'s session; `services` give the language of a job's author."""
        self.bot, self.services = bot, services

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
        markup = InlineKeyboardMarkup.model_validate(message.markup) if message.markup else None
        if message.upload is not None:
            photo = BufferedInputFile(message.upload.data, message.upload.filename)
            await self.bot.send_photo(chat_id, photo, caption=message.text, reply_markup=markup)
        elif message.media_kind == "photo" and message.media_file_id:
            await self.bot.send_photo(
                chat_id, message.media_file_id, caption=message.text, reply_markup=markup
            )
        elif message.media_kind == "document" and message.media_file_id:
            await self.bot.send_document(
                chat_id, message.media_file_id, caption=message.text, reply_markup=markup
            )
        else:
            await self.bot.send_message(chat_id, message.text, reply_markup=markup)

    def render(self, item: Delivery, locale: str) -> list[Outgoing]:
        """A delivery in `locale`: its screen with its keyboard, then each file with a caption."""
        text, markup = render_complaints.screen(item.screen, locale)
        data = markup.model_dump(mode="json", exclude_none=True) if markup else None
        messages = [Outgoing(text, markup=data)]
        total = len(item.attachments)
        for n, attachment in enumerate(item.attachments, start=1):
            caption = t(locale, "complaint.attachment_caption", index=n, total=total)
            kind = "photo" if attachment.kind == "photo" else "document"
            messages.append(Outgoing(caption, kind, attachment.file_id))
        return messages

    async def show_progress(self, progress: Progress) -> None:
        """Edit a broadcast's one status message, in the language of the admin who sent it."""
        if progress.status_chat_id is None or progress.status_message_id is None:
            return
        locale = await self._locale(progress.created_by)
        running = progress.status == "running"
        markup = keyboards_admin.broadcast_running(progress.job_id, locale) if running else None
        try:
            await self.bot.edit_message_text(
                render_admin.progress(progress, locale),
                chat_id=progress.status_chat_id,
                message_id=progress.status_message_id,
                reply_markup=markup,
            )
        except TelegramAPIError:  # "message is not modified" and the like: the next will do
            return

    async def _locale(self, user_id: int | None) -> str:
        """A person's language (the default one if unknown)."""
        services = self.services
        if services is None:
            return "zh-Hans"
        if user_id is None:
            return services.default_locale
        async with services.db.unit_of_work() as uow:
            person = await services.people.get(uow, user_id)
        return person.locale if person else services.default_locale
