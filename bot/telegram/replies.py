"""Sending the engine's replies: new messages for typed input, edits for button taps."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bot.survey.screens import Reply
from bot.telegram import render


async def to_message(message: Message, reply: Reply, locale: str) -> None:
    """Answer a typed message: an optional notice, then the screen as a new message."""
    if reply.also is not None:
        await message.answer(render.notice(reply.also, locale))
    if reply.screen is not None:
        text, markup = render.screen(reply.screen, locale)
        await message.answer(text, reply_markup=markup)
    elif reply.toast is not None:
        await message.answer(render.notice(reply.toast, locale))


async def to_callback(query: CallbackQuery, reply: Reply, locale: str) -> None:
    """Answer a button tap: replace its message (or send anew), then close the spinner."""
    message = query.message
    if reply.also is not None and isinstance(message, Message):
        await message.answer(render.notice(reply.also, locale))
    if reply.screen is not None:
        text, markup = render.screen(reply.screen, locale)
        if reply.edit and isinstance(message, Message):
            with contextlib.suppress(TelegramBadRequest):  # "message is not modified"
                await message.edit_text(text, reply_markup=markup)
        elif message is not None and not isinstance(message, InaccessibleMessage):
            await message.answer(text, reply_markup=markup)
        elif query.from_user is not None and query.bot is not None:
            await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
    toast = render.notice(reply.toast, locale) if reply.toast is not None else None
    await query.answer(toast[:200] if toast else None)
