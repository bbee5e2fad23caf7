"""Both adapters register the same commands and button prefixes: those of the shared
route table (bot/telegram/common/table.py), no more and no fewer.  A handler added to
one adapter's wiring and not the other's fails here."""

from __future__ import annotations

from typing import Any, cast

from aiogram.filters import Command
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app.services import Services
from bot.telegram.aiogram.app import make_dispatcher
from bot.telegram.aiogram.filters import Prefix
from bot.telegram.common import table
from bot.telegram.common.codec import CallbackData
from bot.telegram.ptb.app import make_application

NO_SERVICES = cast(Services, object())  # wiring only: nothing is handled here


def aiogram_routes() -> tuple[set[str], set[str]]:
    """The commands and button prefixes aiogram's dispatcher has handlers for."""
    dp = make_dispatcher(NO_SERVICES)
    commands: set[str] = set()
    prefixes: set[str] = set()
    for router in dp.sub_routers:
        for handler in router.message.handlers:
            for f in handler.filters or []:
                if isinstance(f.callback, Command):
                    commands |= {str(c) for c in f.callback.commands}
        for handler in router.callback_query.handlers:
            prefixes |= {
                f.callback.prefix for f in handler.filters or [] if isinstance(f.callback, Prefix)
            }
    return commands, prefixes


def ptb_routes() -> tuple[set[str], set[str]]:
    """The commands and button prefixes PTB's Application has handlers for."""
    app = make_application("1:parity", "http://127.0.0.1:1", NO_SERVICES)
    commands: set[str] = set()
    prefixes: set[str] = set()
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
            elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern: Any = handler.pattern
                prefixes.add(pattern.pattern.removeprefix("^").removesuffix(":"))
    return commands, prefixes


def test_both_adapters_register_every_command_and_button_of_the_table() -> None:
    expected = (set(table.commands()), set(table.prefixes()))
    assert aiogram_routes() == expected
    assert ptb_routes() == expected


def test_every_button_kind_has_a_route_and_every_route_a_known_kind() -> None:
    kinds = set(CallbackData.registry)
    assert set(table.prefixes()) == kinds


def test_the_table_answers_the_command_menu() -> None:
    from bot.telegram.common.commands import COMMANDS

    assert set(COMMANDS) <= set(table.commands())
