"""aiogram as a `Frontend` (bot/telegram/common/frontend.py): a Bot and its Dispatcher."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates

from bot.app.services import Services
from bot.telegram.aiogram.app import make_bot, make_dispatcher
from bot.telegram.aiogram.middlewares import gate_of
from bot.telegram.aiogram.sender import BotSender


class GetRawUpdates(GetUpdates):
    """getUpdates whose result stays JSON: the updates go to the inbox as Telegram sent
    them (fields aiogram does not model included), and are parsed once, when handled —
    not also here, to be dumped again (which cost the poller most of its time)."""

    __returning__ = list[dict[str, Any]]


class AiogramFrontend:
    """The aiogram adapter, driven by the shared intake."""

    framework = "aiogram"

    def __init__(self, bot: Bot, dp: Dispatcher, services: Services) -> None:
        """Drive `dp` with `bot`."""
        self.bot, self.dp = bot, dp
        self.gate = gate_of(dp)
        self.sender = BotSender(bot, services)
        self.allowed_updates = dp.resolve_used_update_types()

    async def startup(self) -> None:
        """The dispatcher's start-up hooks (the command menus)."""
        await self.dp.emit_startup(**self._hooks())

    async def shutdown(self) -> None:
        """The dispatcher's shutdown hooks."""
        await self.dp.emit_shutdown(**self._hooks())

    def _hooks(self) -> dict[str, Any]:
        return {"dispatcher": self.dp, "bots": [self.bot], "bot": self.bot, **self.dp.workflow_data}

    async def feed(self, raw: dict[str, Any]) -> None:
        """`Dispatcher.feed_raw_update`."""
        await self.dp.feed_raw_update(self.bot, raw)

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """getUpdates, the updates as JSON."""
        call = GetRawUpdates(offset=offset, timeout=timeout, allowed_updates=self.allowed_updates)
        return await self.bot(call)  # type: ignore[arg-type]

    async def set_webhook(self, url: str, secret: str | None, max_connections: int | None) -> None:
        """setWebhook for the update types used."""
        await self.bot.set_webhook(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=self.allowed_updates,
        )

    async def delete_webhook(self) -> None:
        """deleteWebhook."""
        await self.bot.delete_webhook()

    async def close(self) -> None:
        """Close the bot's HTTP session."""
        await self.bot.session.close()


def make_frontend(token: str, api_base: str, services: Services) -> AiogramFrontend:
    """An aiogram bot at `api_base` serving `services`."""
    return AiogramFrontend(make_bot(token, api_base), make_dispatcher(services), services)
