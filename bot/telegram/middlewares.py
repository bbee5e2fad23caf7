"""Outer middlewares, in the order they run for every update.

1. `DropDuplicates` — an update id seen before (redelivered by a webhook, or
   replayed) is dropped.  Ids handled before a restart are read back from the
   database at start-up; the id is stored with the update's own writes.
2. `OnePerUser` — one update per user at a time (aiogram has no event isolation
   by default, so two fast taps would race on the same questionnaire).
3. `UnitOfWorkPerUpdate` — opens the update's unit of work, registers the
   person, and commits whatever the handler left uncommitted.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.services import Services
from storage.repositories import UpdateLogRepo

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DropDuplicates(BaseMiddleware):
    """Drops an update whose id was already handled or is being handled."""

    def __init__(self, remember: int = 100_000) -> None:
        """Keep the last `remember` update ids in memory."""
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember
        self.dropped = 0

    def preload(self, update_ids: list[int]) -> None:
        """Seed the filter with ids handled before a restart."""
        for update_id in reversed(update_ids):
            self._remember_id(update_id)

    def _remember_id(self, update_id: int) -> None:
        self._seen[update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Pass the update on unless its id is known."""
        assert isinstance(event, Update)
        if event.update_id in self._seen:
            self.dropped += 1
            return None
        self._remember_id(event.update_id)
        try:
            return await handler(event, data)
        except BaseException:
            self._seen.pop(event.update_id, None)  # not handled: a redelivery may retry it
            raise


class OnePerUser(BaseMiddleware):
    """Serialises the updates of each user; different users run concurrently."""

    def __init__(self) -> None:
        """No user is busy yet."""
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Run the handler holding the user's lock."""
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        key = user.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                return await handler(event, data)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued: free the lock's memory
                del self._waiting[key], self._locks[key]


class UnitOfWorkPerUpdate(BaseMiddleware):
    """Gives the handler a unit of work, the services and the person."""

    def __init__(self, services: Services) -> None:
        """Use `services` for every update."""
        self.services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Open the unit of work, stage the update id, run the handler, commit the rest."""
        assert isinstance(event, Update)
        services = self.services
        async with services.db.unit_of_work() as uow:
            UpdateLogRepo(uow).stage_mark(event.update_id, services.now())
            user: User | None = data.get("event_from_user")
            if user is not None and not user.is_bot:
                person = await services.people.seen(uow, user.id, user.language_code)
                data["person"] = person
                data["locale"] = person.locale
            else:
                data["locale"] = services.default_locale
            data["uow"] = uow
            data["services"] = services
            result = await handler(event, data)
            if uow.pending:
                await uow.commit()
            return result
