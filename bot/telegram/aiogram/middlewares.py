"""aiogram's side of the gate: one outer update middleware hands every update, as an
`Incoming`, to the shared `Gate` (bot/telegram/common/gate.py: groups, flood control,
per-person serialisation, the unit of work, the locale)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.types import TelegramObject, Update

from bot.app.services import Services
from bot.telegram.aiogram.convert import incoming
from bot.telegram.common.gate import Gate
from bot.telegram.common.incoming import Incoming

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateGate(BaseMiddleware):
    """Runs the shared gate around aiogram's routing of each update."""

    def __init__(self, services: Services) -> None:
        """Serve `services`."""
        self.gate = Gate(services)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Convert, then let aiogram route inside the gate with the update's context."""
        assert isinstance(event, Update)
        bot: Bot = data["bot"]

        async def work(inc: Incoming, context: dict[str, Any]) -> None:
            await handler(event, {**data, "incoming": inc, "context": context})

        await self.gate.run(await incoming(event, bot), event.update_id, work)


def gate_of(dp: Dispatcher) -> Gate:
    """The shared gate of a dispatcher (to adjust its flood control where simulated
    people act at machine speed, or to hear when an update is done)."""
    [middleware] = [m for m in dp.update.outer_middleware if isinstance(m, UpdateGate)]
    return middleware.gate
