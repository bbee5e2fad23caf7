"""Last in line: anything no other router took."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.i18n import t
from bot.telegram.replies import tell

router = Router(name="fallback")


@router.message()
async def anything_else(message: Message, locale: str) -> None:
    """Anything no other handler took: say what the bot understands."""
    await tell(message, t(locale, "common.unknown"))


@router.callback_query()
async def unknown_button(query: CallbackQuery, locale: str) -> None:
    """A button from an old version of the bot, or forged data."""
    await tell(query, t(locale, "common.stale"))
