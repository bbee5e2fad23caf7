"""aiogram's Update → the shared `Incoming` (bot/telegram/common/incoming.py)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, Chat, Message, Update

from bot.telegram.aiogram.replies import AiogramResponder
from bot.telegram.common.incoming import Attachment, Incoming, message_kind, split_command


async def incoming(update: Update, bot: Bot) -> Incoming | None:
    """The update as plain data, or None for a kind the bot does not serve."""
    if update.callback_query is not None:
        return _press(update.update_id, update.callback_query, bot)
    if update.message is not None or update.edited_message is not None:
        message = update.message or update.edited_message
        assert message is not None
        return await _message(update.update_id, message, bot, edited=update.message is None)
    post = update.channel_post or update.edited_channel_post
    member = update.my_chat_member or update.chat_member
    chat: Chat | None = post.chat if post else member.chat if member else None
    if chat is None:
        return None
    user = member.from_user if member is not None else None
    return Incoming(
        update.update_id,
        "service",
        user.id if user else None,
        chat.id,
        chat.type,
        AiogramResponder(None, bot),
        language_code=user.language_code if user else None,
    )


def _press(update_id: int, query: CallbackQuery, bot: Bot) -> Incoming:
    message = query.message  # an InaccessibleMessage when too old to edit
    return Incoming(
        update_id,
        "press",
        query.from_user.id,
        message.chat.id if message is not None else None,
        message.chat.type if message is not None else None,
        AiogramResponder(query, bot),
        message_id=message.message_id if message is not None else None,
        html=message.html_text if isinstance(message, Message) and message.text else None,
        data=query.data or "",
        language_code=query.from_user.language_code,
        first_name=query.from_user.first_name,
        is_bot=query.from_user.is_bot,
    )


async def _message(update_id: int, message: Message, bot: Bot, *, edited: bool) -> Incoming:
    attachments = _attachments(message)
    command, args = split_command(message.text or message.caption)
    private, user = message.chat.type == "private", message.from_user
    return Incoming(
        update_id,
        message_kind(message.text, message.caption, bool(attachments), edited),
        user.id if user else None,
        message.chat.id,
        message.chat.type,
        AiogramResponder(message, bot),
        message_id=message.message_id,
        text=message.text,
        html=message.html_text if (message.text or message.caption) else None,
        command=command,
        args=args,
        attachments=attachments,
        addressed=not private and not edited and await _addressed(message, bot),
        language_code=user.language_code if user else None,
        first_name=user.first_name if user else "",
        is_bot=user.is_bot if user else False,
    )


def _attachments(message: Message) -> tuple[Attachment, ...]:
    """A photo (its largest size) or a document."""
    if message.photo:
        photo = message.photo[-1]
        return (Attachment("photo", photo.file_id, "image/jpeg", photo.file_size),)
    if message.document:
        doc = message.document
        return (Attachment("document", doc.file_id, doc.mime_type, doc.file_size),)
    return ()


async def _addressed(message: Message, bot: Bot) -> bool:
    """A command (for this bot, or for every bot) or a reply to one of the bot's messages."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        if "@" not in command:
            return True
        me = await bot.me()
        return command.partition("@")[2].lower() == (me.username or "").lower()
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
