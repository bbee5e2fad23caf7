"""python-telegram-bot as a `Frontend` (bot/telegram/common/frontend.py)."""

from __future__ import annotations

from typing import Any, cast

from telegram import Update
from telegram.request import BaseRequest

from bot.app.services import Services
from bot.telegram.common.commands import DEFAULT_MENUS
from bot.telegram.ptb.app import FAILURES, make_application
from bot.telegram.ptb.replies import menu
from bot.telegram.ptb.sender import PtbSender

# The update types the handlers take (ptb, unlike aiogram, does not work them out).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_GRACE = 30  # seconds a long poll's reply may take beyond the poll's own timeout


class PtbFrontend:
    """The PTB adapter, driven by the shared intake: the inbox worker calls `feed`,
    which hands the update to `Application.process_update` (the Application has no
    Updater of its own)."""

    framework = "ptb"

    def __init__(
        self, token: str, api_base: str, services: Services, request: BaseRequest | None = None
    ) -> None:
        """An Application at `api_base` serving `services` (over `request`, if given)."""
        self.application = make_application(token, api_base, services, request)
        self.bot = self.application.bot
        self.gate = self.application.bot_data["gate"]
        self.sender = PtbSender(self.bot, services)
        self.allowed_updates = list(ALLOWED_UPDATES)
        self._failures: dict[int, Exception] = self.application.bot_data[FAILURES]

    async def startup(self) -> None:
        """Initialise (getMe) and publish the command menus."""
        await self.application.initialize()
        for language_code, locale in DEFAULT_MENUS:
            await self.bot.set_my_commands(menu(locale), language_code=language_code)

    async def shutdown(self) -> None:
        """Shut the Application down."""
        await self.application.shutdown()

    async def feed(self, raw: dict[str, Any]) -> None:
        """process_update, raising again what the gate raised (so the inbox retries)."""
        update = Update.de_json(raw, self.bot)
        await self.application.process_update(update)
        failure = self._failures.pop(update.update_id, None)
        if failure is not None:
            raise failure

    async def get_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """getUpdates, the updates as JSON: stored as the Bot API sent them (`to_dict` of
        PTB's objects would add defaults and rename nothing back), parsed once, when handled.
        `Bot.get_updates` parses; its own transport call, `_post`, does not."""
        params = {"offset": offset, "timeout": timeout, "allowed_updates": self.allowed_updates}
        # The server holds the call up to `timeout` s; the reading waits that long and more.
        raws = await self.bot._post("getUpdates", params, read_timeout=timeout + POLL_GRACE)
        return cast(list[dict[str, Any]], raws)

    async def set_webhook(self, url: str, secret: str | None, max_connections: int | None) -> None:
        """setWebhook for the update types used."""
        await self.bot.set_webhook(
            url,
            secret_token=secret,
            max_connections=max_connections or 40,
            allowed_updates=self.allowed_updates,
        )

    async def delete_webhook(self) -> None:
        """deleteWebhook."""
        await self.bot.delete_webhook()

    async def close(self) -> None:
        """Nothing left open: `shutdown` closed the requests (and a never-started bot
        has none open)."""
        if self.application.running:
            await self.application.stop()


def make_frontend(token: str, api_base: str, services: Services) -> PtbFrontend:
    """A PTB bot at `api_base` serving `services`."""
    return PtbFrontend(token, api_base, services)
