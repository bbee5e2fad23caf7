"""The command menus (bot/telegram/common/commands.py) set through aiogram's Bot."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.telegram.common.commands import DEFAULT_MENUS, command_list


def _menu(locale: str) -> list[BotCommand]:
    return [BotCommand(command=c, description=d) for c, d in command_list(locale)]


async def set_default_commands(bot: Bot) -> None:
    """Set the menu for everyone: zh-Hans by default, English for "en"."""
    for language_code, locale in DEFAULT_MENUS:
        await bot.set_my_commands(_menu(locale), language_code=language_code)


async def set_chat_commands(bot: Bot, chat_id: int, locale: str) -> None:
    """Give one private chat the menu in the locale its person uses."""
    await bot.set_my_commands(_menu(locale), scope=BotCommandScopeChat(chat_id=chat_id))
