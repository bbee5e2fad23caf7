"""The one authorization layer: every privileged handler declares the roles it needs.

A handler is privileged when it is registered with `flags=requires(Role…)`;
`Authorize` (an inner middleware on the dispatcher's messages and callback
queries, so it covers every router) checks the person's roles before the
handler runs, and answers "not allowed" in their language otherwise.  Handlers
without the flag are open to everyone.  tests/bot/admin/test_authorization.py
walks every handler of every router and fails on one missing from its matrix.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.access.service import Role
from bot.app.services import Services
from bot.i18n import t
from bot.telegram.replies import tell
from storage.uow import UnitOfWork

REQUIRES = "requires"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def requires(*roles: Role) -> dict[str, frozenset[Role]]:
    """Handler flags: only people holding one of `roles` may use it."""
    return {REQUIRES: frozenset(roles)}


ADMIN = requires(Role.ADMIN)
STAFF = requires(Role.ADMIN, Role.EVALUATOR)
INSPECTOR = requires(Role.INSPECTOR)
HANDLER = requires(Role.HANDLER)


class Authorize(BaseMiddleware):
    """Lets a privileged handler run only for people holding one of its roles."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Check the handler's `requires` flag against the person's grants."""
        needed: frozenset[Role] | None = get_flag(data, REQUIRES)
        if not needed:
            return await handler(event, data)
        user: User | None = data.get("event_from_user")
        services: Services = data["services"]
        uow: UnitOfWork = data["uow"]
        if user is not None and any(
            g.role in needed for g in await services.access.grants(uow, user.id)
        ):
            return await handler(event, data)
        if isinstance(event, CallbackQuery | Message):
            text = t(data.get("locale", services.default_locale), "admin.denied")
            await tell(event, text, alert=True)
        return None
