"""aiogram's `Responder`: the calls that carry out an `Answer` (the decision itself is
bot/telegram/common/replies.py's)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.telegram.aiogram.commands import set_chat_commands
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.replies import QUERY_GONE, Upload


def markup_of(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """A plain keyboard as aiogram's markup."""
    if keyboard is None:
        return None
    rows = [
        [InlineKeyboardButton(text=b.text, callback_data=b.callback_data, url=b.url) for b in row]
        for row in keyboard.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class AiogramResponder:
    """Answers one Message or CallbackQuery through aiogram's Bot."""

    def __init__(self, event: Message | CallbackQuery | None, bot: Bot) -> None:
        """Answer `event` (None: an update the bot never answers) with `bot`."""
        self.event, self.bot = event, bot

    @property
    def editable(self) -> bool:
        """Only a pressed text message can become the new screen (a press on a photo or
        file — stale or forged data — gets the screen anew)."""
        message = self.event.message if isinstance(self.event, CallbackQuery) else None
        return isinstance(message, Message) and message.text is not None

    async def send(self, text: str, markup: Keyboard | None) -> None:
        """A new message in the chat of the message or pressed button (or the person's)."""
        event, reply_markup = self.event, markup_of(markup)
        assert event is not None
        if isinstance(event, Message):
            await event.answer(text, reply_markup=reply_markup)
            return
        message = event.message  # an InaccessibleMessage when too old to edit
        if isinstance(message, Message):
            await message.answer(text, reply_markup=reply_markup)
        else:
            chat_id = message.chat.id if message is not None else event.from_user.id
            await self.bot.send_message(chat_id, text, reply_markup=reply_markup)

    async def send_file(
        self, kind: str, file: Upload, caption: str | None, markup: Keyboard | None
    ) -> None:
        """A document or photo as a new message (typed input only in this bot)."""
        assert isinstance(self.event, Message)
        upload = BufferedInputFile(file.data, file.filename)
        if kind == "photo":
            await self.event.answer_photo(upload, caption=caption, reply_markup=markup_of(markup))
        else:
            await self.event.answer_document(
                upload, caption=caption, reply_markup=markup_of(markup)
            )

    async def edit(self, text: str, markup: Keyboard | None) -> bool:
        """Edit the pressed message; "not modified" counts as done."""
        assert isinstance(self.event, CallbackQuery) and isinstance(self.event.message, Message)
        try:
            await self.event.message.edit_text(text, reply_markup=markup_of(markup))
        except TelegramBadRequest as error:
            return "message is not modified" in error.message
        return True

    async def close(self, toast: str | None, alert: bool, url: str | None) -> None:
        """Answer the callback query."""
        assert isinstance(self.event, CallbackQuery)
        try:
            await self.event.answer(toast, show_alert=alert or None, url=url)
        except TelegramBadRequest as error:
            if QUERY_GONE not in error.message.lower():
                raise

    async def bot_username(self) -> str:
        """The bot's username (aiogram caches the bot's own profile)."""
        return (await self.bot.me()).username or ""

    async def set_commands(self, chat_id: int, locale: str) -> None:
        """One chat's command menu in `locale`."""
        await set_chat_commands(self.bot, chat_id, locale)
