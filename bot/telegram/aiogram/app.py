"""Wiring: the Bot (any Bot API base URL) and the Dispatcher, its gate and its handlers —
one per command and per button prefix of the shared route table, and catch-alls."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject

from bot.app import metrics
from bot.app.services import Services
from bot.telegram.aiogram.commands import set_default_commands
from bot.telegram.aiogram.filters import Prefix
from bot.telegram.aiogram.middlewares import UpdateGate
from bot.telegram.common import routing, table


def make_bot(token: str, api_base: str) -> Bot:
    """A Bot talking HTML to the Bot API at `api_base` (public, local server, or emulator)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
    session.middleware(count_calls)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def count_calls(
    make_request: NextRequestMiddlewareType[TelegramType],
    bot: Bot,
    method: TelegramMethod[TelegramType],
) -> Response[TelegramType]:
    """Count each Bot API call by method and result (pingyi_bot_api_calls_total)."""
    try:
        response = await make_request(bot, method)
    except TelegramRetryAfter:
        metrics.api_call(method.__api_method__, "429")
        raise
    except TelegramForbiddenError:
        metrics.api_call(method.__api_method__, "403")
        raise
    except TelegramBadRequest:
        metrics.api_call(method.__api_method__, "400")
        raise
    except Exception:
        metrics.api_call(method.__api_method__, "other")
        raise
    metrics.api_call(method.__api_method__, "ok")
    return response


def make_dispatcher(services: Services) -> Dispatcher:
    """A Dispatcher with the gate and a handler for every route of the table."""
    # Conversation state lives in our database, not in aiogram's FSM storage.
    dp = Dispatcher(services=services, disable_fsm=True)
    dp.update.outer_middleware(UpdateGate(services))
    dp.include_router(routes_router())
    # Background work (the outbox, reminders, score refresh) is the entry point's:
    # `Services.start(BotSender(bot, services))` / `stop()` (bot/app/runtime.py).
    dp.startup.register(_on_startup)
    return dp


def routes_router() -> Router:
    """aiogram handlers for the table: `Command` per command, a data prefix per button
    kind, then catch-alls; each runs the shared routes (bot/telegram/common/routing.py)."""
    router = Router(name="pingyi")
    for name in table.commands():
        router.message.register(_run, Command(name))
    for prefix in table.prefixes():
        router.callback_query.register(_run, Prefix(prefix))
    router.message.register(_run)
    router.edited_message.register(_run)
    router.callback_query.register(_run)
    return router


async def _run(event: TelegramObject, incoming: Any, context: dict[str, Any]) -> None:
    """Every handler: the shared routes for the update the gate converted."""
    await routing.run(table.ROUTES, incoming, context)


async def _on_startup(bot: Bot) -> None:
    """Publish the command menus."""
    await set_default_commands(bot)
