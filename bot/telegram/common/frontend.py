"""What an adapter gives the drivers (`pingyi run`, the demo, the tests, the benches):
one `Frontend` per framework, so that polling, the webhook and the inbox workers are
written once (bot/telegram/common/intake.py) whatever adapter runs behind them."""

from __future__ import annotations

from typing import Any, Protocol

from bot.telegram.common.gate import Gate
from bot.telegram.common.sender import OutboxSender


class Frontend(Protocol):
    """A bot and its router, in one framework's idiom."""

    framework: str  # "aiogram" | "ptb"
    gate: Gate  # the shared gate its handlers pass (flood control, finished updates)
    sender: OutboxSender  # the outbox's sender over the same bot
    allowed_updates: list[str]  # the update types its handlers take

    async def startup(self) -> None:
        """Before the first update: the framework's start-up (menus published)."""

    async def shutdown(self) -> None:
        """After the last update: the framework's shutdown."""

    async def feed(self, raw: dict[str, Any]) -> None:
        """Handle one update given as Bot API JSON; raises if it must be retried."""

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """getUpdates for `allowed_updates`, as Bot API JSON."""

    async def set_webhook(self, url: str, secret: str | None, max_connections: int | None) -> None:
        """setWebhook for `allowed_updates`."""

    async def delete_webhook(self) -> None:
        """deleteWebhook."""

    async def close(self) -> None:
        """Close the HTTP session."""
