"""Wiring: the Bot (any Bot API base URL), the Dispatcher, its middlewares and routers."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.services import Services
from bot.telegram.commands import set_default_commands
from bot.telegram.middlewares import DropDuplicates, OnePerUser, UnitOfWorkPerUpdate
from bot.telegram.routers import access, common, fallback, survey
from storage.repositories import UpdateLogRepo

# How many handled update ids are read back at start-up to drop redeliveries.
DEDUP_MEMORY = 100_000


def make_bot(token: str, api_base: str) -> Bot:
    """A Bot talking HTML to the Bot API at `api_base` (public, local server, or emulator)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def make_dispatcher(services: Services) -> Dispatcher:
    """A Dispatcher with the middlewares and every feature router."""
    # Conversation state lives in our database, not in aiogram's FSM storage.
    dp = Dispatcher(services=services, disable_fsm=True)
    dedup = DropDuplicates(DEDUP_MEMORY)
    dp["dedup"] = dedup
    dp.update.outer_middleware(dedup)
    dp.update.outer_middleware(OnePerUser())
    dp.update.outer_middleware(UnitOfWorkPerUpdate(services))
    # The questionnaire's buttons are the hot path: its router is tried first.
    dp.include_routers(survey.router, common.router, access.router, fallback.router)
    dp.startup.register(_on_startup)
    return dp


async def _on_startup(bot: Bot, dispatcher: Dispatcher, services: Services) -> None:
    """Read back handled update ids, then publish the command menus."""
    await preload_dedup(dispatcher, services)
    await set_default_commands(bot)


async def preload_dedup(dispatcher: Dispatcher, services: Services) -> None:
    """Seed the duplicate filter with the update ids handled before a restart."""
    async with services.db.unit_of_work() as uow:
        recent = await UpdateLogRepo(uow).recent(DEDUP_MEMORY)
    dedup: DropDuplicates = dispatcher["dedup"]
    dedup.preload(recent)
