"""python-telegram-bot's `Responder`: the calls that carry out an `Answer` (the decision
itself is bot/telegram/common/replies.py's)."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.error import BadRequest

from bot.telegram.common.commands import command_list
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.replies import QUERY_GONE, Upload


def markup_of(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """A plain keyboard as PTB's markup."""
    if keyboard is None:
        return None
    rows = [
        [InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row]
        for row in keyboard.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


def menu(locale: str) -> list[BotCommand]:
    """The command menu in `locale` (bot/telegram/common/commands.py)."""
    return [BotCommand(command, description) for command, description in command_list(locale)]


class PtbResponder:
    """Answers one Message or CallbackQuery through PTB's Bot (HTML by default)."""

    def __init__(self, event: Message | CallbackQuery | None, bot: Bot) -> None:
        """Answer `event` (None: an update the bot never answers) with `bot`."""
        self.event, self.bot = event, bot

    @property
    def editable(self) -> bool:
        """Only a pressed text message can become the new screen."""
        message = self.event.message if isinstance(self.event, CallbackQuery) else None
        return isinstance(message, Message) and message.text is not None

    def _chat_id(self) -> int:
        event = self.event
        assert event is not None
        if isinstance(event, Message):
            return event.chat_id
        message = event.message  # an InaccessibleMessage when too old to edit
        return message.chat.id if message is not None else event.from_user.id

    async def send(self, text: str, markup: Keyboard | None) -> None:
        """A new message in the chat of the message or pressed button (or the person's)."""
        await self.bot.send_message(self._chat_id(), text, reply_markup=markup_of(markup))

    async def send_file(
        self, kind: str, file: Upload, caption: str | None, markup: Keyboard | None
    ) -> None:
        """A document or photo as a new message."""
        upload = InputFile(file.data, filename=file.filename)
        if kind == "photo":
            await self.bot.send_photo(
                self._chat_id(), upload, caption=caption, reply_markup=markup_of(markup)
            )
        else:
            await self.bot.send_document(
                self._chat_id(), upload, caption=caption, reply_markup=markup_of(markup)
            )

    async def edit(self, text: str, markup: Keyboard | None) -> bool:
        """Edit the pressed message; "not modified" counts as done."""
        assert isinstance(self.event, CallbackQuery) and isinstance(self.event.message, Message)
        message = self.event.message
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                reply_markup=markup_of(markup),
            )
        except BadRequest as error:
            return "message is not modified" in error.message.lower()
        return True

    async def close(self, toast: str | None, alert: bool, url: str | None) -> None:
        """Answer the callback query."""
        assert isinstance(self.event, CallbackQuery)
        try:
            await self.bot.answer_callback_query(
                self.event.id, text=toast, show_alert=alert or None, url=url
            )
        except BadRequest as error:
            if QUERY_GONE not in error.message.lower():
                raise

    async def bot_username(self) -> str:
        """The bot's username (PTB has it from getMe at initialisation)."""
        return self.bot.username

    async def set_commands(self, chat_id: int, locale: str) -> None:
        """One chat's command menu in `locale`."""
        await self.bot.set_my_commands(menu(locale), scope=BotCommandScopeChat(chat_id))
