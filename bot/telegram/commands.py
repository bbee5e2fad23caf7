"""The bot's command menu, in each language.

Telegram keys command lists by two-letter language code, so "zh" cannot tell
Simplified from Traditional: the default and "zh" lists are zh-Hans, "en" is
English, and a zh-Hant person gets a list scoped to their own chat.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.i18n import t

COMMANDS = (
    "start",
    "survey",
    "complain",
    "mycomplaints",
    "results",
    "language",
    "help",
    "cancel",
)


def command_list(locale: str) -> list[BotCommand]:
    """The menu in `locale`."""
    return [BotCommand(command=c, description=t(locale, f"cmd.{c}")) for c in COMMANDS]


async def set_default_commands(bot: Bot) -> None:
    """Set the menu for everyone: zh-Hans by default, English for "en"."""
    await bot.set_my_commands(command_list("zh-Hans"))
    await bot.set_my_commands(command_list("zh-Hans"), language_code="zh")
    await bot.set_my_commands(command_list("en"), language_code="en")


async def set_chat_commands(bot: Bot, chat_id: int, locale: str) -> None:
    """Give one private chat the menu in the locale its person uses."""
    await bot.set_my_commands(command_list(locale), scope=BotCommandScopeChat(chat_id=chat_id))
