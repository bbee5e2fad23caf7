"""Fixtures: a started LocalBotAPI, a real aiogram Bot pointed at it, and polling."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.localapi import LocalBotAPI


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    """A local Bot API server on a free port, stopped after the test."""
    async with LocalBotAPI() as server:
        yield server
        assert server.internal_errors == [], "the local server itself failed"


@pytest.fixture
async def bot(api: LocalBotAPI) -> AsyncIterator[Bot]:
    """The real aiogram client stack, talking HTTP to `api`."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), timeout=10)
    client = Bot(api.token, session=session)
    yield client
    await session.close()


@contextlib.asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot, api: LocalBotAPI) -> AsyncIterator[None]:
    """Run `dp.start_polling` for the duration of the block, with bounded start and stop."""
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        await api.wait_polling(timeout=30)
        yield
    finally:
        if not task.done():
            await asyncio.wait_for(dp.stop_polling(), 30)
        await asyncio.wait_for(task, 30)
