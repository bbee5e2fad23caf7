"""The outbox's sender, written once: what each adapter's sender shares.

Deliveries are rendered here (text and keyboard in the recipient's language, by the
one keyboard builder) when they are queued, and a broadcast's status message is
edited here as it progresses.  An adapter subclasses `OutboxSender` with the calls
(`_send_text`, `_send_file`, `_edit_text`) and `_translate`, which maps its
framework's errors onto the engine's one set (bot/outbox/messages.py):
429 → RateLimited(retry_after), 403 → Blocked, 400/404/401 → Failed, 5xx → Failed
(transient), a timeout or a broken connection → InDoubt (it may have reached
Telegram: at most once, so not retried).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from bot.app.services import Services
from bot.complaints.screens import Delivery
from bot.i18n import t
from bot.outbox.messages import Outgoing, SendError
from bot.telegram.common import keyboards_admin, render_admin, render_complaints
from bot.telegram.common.markup import Keyboard
from storage.outbox import Progress


class OutboxSender(ABC):
    """Sends the outbox's messages; subclasses make the calls and translate errors."""

    def __init__(self, services: Services | None = None) -> None:
        """`services` give the language of a job's author."""
        self.services = services

    async def send(self, chat_id: int, message: Outgoing) -> None:
        """Send, raising the engine's SendError kinds for the framework's errors."""
        markup = Keyboard.from_json(message.markup) if message.markup else None
        try:
            if message.upload is not None:  # a drawn picture (a bulletin's chart)
                upload = message.upload
                await self._upload_photo(
                    chat_id, upload.filename, upload.data, message.text, markup
                )
            elif message.media_kind in ("photo", "document") and message.media_file_id:
                await self._send_file(
                    chat_id, message.media_kind, message.media_file_id, message.text, markup
                )
            else:
                await self._send_text(chat_id, message.text, markup)
        except Exception as exc:
            error = self._translate(exc)
            if error is None:
                raise
            raise error from None

    def render(self, item: Delivery, locale: str) -> list[Outgoing]:
        """A delivery in `locale`: its screen with its keyboard, then each file with a caption."""
        text, markup = render_complaints.screen(item.screen, locale)
        messages = [Outgoing(text, markup=markup.to_json() if markup else None)]
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
        text = render_admin.progress(progress, locale)
        try:
            await self._edit_text(progress.status_chat_id, progress.status_message_id, text, markup)
        except Exception as exc:  # "message is not modified" and the like: the next will do
            if self._translate(exc) is None:
                raise

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

    @abstractmethod
    async def _send_text(self, chat_id: int, text: str, markup: Keyboard | None) -> None:
        """sendMessage (HTML)."""

    @abstractmethod
    async def _send_file(
        self, chat_id: int, kind: str, file_id: str, caption: str, markup: Keyboard | None
    ) -> None:
        """sendPhoto or sendDocument by file id."""

    @abstractmethod
    async def _upload_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str, markup: Keyboard | None
    ) -> None:
        """sendPhoto with the picture's bytes."""

    @abstractmethod
    async def _edit_text(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None:
        """editMessageText."""

    @abstractmethod
    def _translate(self, exc: Exception) -> SendError | None:
        """The engine's error for a framework error; None for one that is not the API's."""
