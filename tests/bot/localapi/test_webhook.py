"""The local server delivers to a webhook like Telegram: secret header, at most
max_connections in flight, redelivery after a non-2xx answer; getUpdates refused."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from bot.localapi import LocalBotAPI
from bot.localapi.webhook import SECRET_HEADER


class Hook:
    """A webhook that answers 500 to each update's first POST, holding requests a while."""

    def __init__(self) -> None:
        """Nothing received."""
        self.posts: list[tuple[int, str | None]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()
        self.two_waiting = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        """Record, wait for the release, fail the first try of each update."""
        update = await request.json()
        self.posts.append((update["update_id"], request.headers.get(SECRET_HEADER)))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight == 2:
            self.two_waiting.set()
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        first = [uid for uid, _ in self.posts].count(update["update_id"]) == 1
        return web.Response(status=500 if first else 200)


async def test_delivery_with_secret_limit_and_redelivery(api: LocalBotAPI, bot: Bot) -> None:
    hook = Hook()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        await bot.set_webhook(url, secret_token="abc_1", max_connections=2)
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        user = api.user(11)
        ids = [await user.send_text(f"m{i}") for i in range(4)]
        await asyncio.wait_for(hook.two_waiting.wait(), 30)
        await asyncio.sleep(0.3)  # a third POST would arrive now if the limit did not hold
        hook.release.set()
        await api.wait_until(lambda: api.updates.pending == 0, "every update delivered")
        assert api.webhook is not None
        assert (api.webhook.max_connections, hook.most_in_flight) == (2, 2), hook.posts
        assert all(secret == "abc_1" for _, secret in hook.posts)
        assert sorted(uid for uid, _ in hook.posts) == sorted(ids * 2)  # each failed once
        assert api.webhook is not None and api.webhook.stats.retries == 4
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()
