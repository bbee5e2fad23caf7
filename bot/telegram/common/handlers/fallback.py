"""Last in line: anything no other router took."""

from __future__ import annotations

from bot.i18n import t
from bot.telegram.common.incoming import Incoming, tell
from bot.telegram.common.routing import Routes

routes = Routes("fallback")


@routes.messages("command", "text", "file", "other")
async def anything_else(message: Incoming, locale: str) -> None:
    """Anything no other handler took: say what the bot understands."""
    await tell(message, t(locale, "common.unknown"))


@routes.any_press()
async def unknown_button(query: Incoming, locale: str) -> None:
    """A button from an old version of the bot, or forged data."""
    await tell(query, t(locale, "common.stale"))
