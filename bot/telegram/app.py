"""Wiring: the Bot (any Bot API base URL), the Dispatcher, its middlewares and routers."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.app import metrics
from bot.app.services import Services
from bot.telegram.authz import Authorize
from bot.telegram.commands import set_default_commands
from bot.telegram.middlewares import UpdateGate
from bot.telegram.routers import (
    access,
    admin,
    admin_roles,
    common,
    complaints,
    evaluator,
    fallback,
    inspections,
    privacy,
    sanctions,
    survey,
)
from bot.telegram.routers import publish as publication


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
    """A Dispatcher with the middlewares and every feature router."""
    # Conversation state lives in our database, not in aiogram's FSM storage.
    dp = Dispatcher(services=services, disable_fsm=True)
    dp.update.outer_middleware(UpdateGate(services))
    routers = (
        survey.router,  # the questionnaire's buttons, the hot path, are matched first
        privacy.router,  # /mydata, /forget: before any flow could take them as text
        admin.compose_router,  # only admins whose broadcast draft awaits a message
        complaints.router,  # its text/file handlers only for people in the complaint flow
        survey.text_router,  # typed text and files inside a questionnaire
        evaluator.router,  # only its commands, refused to non-evaluators
        sanctions.router,  # /sanction (evaluators), /sanction revoke (admins)
        inspections.router,  # /inspect, /confirm, /reject, /corrected
        common.router,
        access.router,
        admin.router,
        admin_roles.router,
        publication.router,  # /publish and /results
        fallback.router,
    )
    for router in routers:
        _detach(router)
    dp.include_routers(*routers)
    # One authorization layer for every router: handlers declare flags=requires(Role…).
    dp.message.middleware(Authorize())
    dp.callback_query.middleware(Authorize())
    # Background work (the outbox, reminders, score refresh) is the entry point's:
    # `Services.start(BotSender(bot, services))` / `stop()` (bot/app/runtime.py).
    dp.startup.register(_on_startup)
    return dp


def _detach(router: Router) -> None:
    """Free a feature router from the dispatcher that had it before.

    The routers are module-level (their handlers are declared with decorators) and
    aiogram gives a router one parent, so without this a second dispatcher in the
    same process (a restart in place, every end-to-end test) could not be built.
    """
    parent = router.parent_router
    if parent is not None:
        parent.sub_routers.remove(router)
        router._parent_router = None


async def _on_startup(bot: Bot) -> None:
    """Publish the command menus."""
    await set_default_commands(bot)
