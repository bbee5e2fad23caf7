"""The gate every update passes before any router: one outer middleware, three steps.

1. Duplicates never get here: every update is stored in the durable inbox
   keyed by its id before it is acknowledged, and a worker feeds it to the
   dispatcher once (storage/inbox.py, bot/app/inbox.py).  The id is stored in
   `processed_updates` with the update's own writes, so a worker that takes over
   an update whose first worker died knows whether its effects were committed.
   Anything from a chat that is not private (a group, a channel) is
   answered or ignored by `chats` and goes no further (bot/telegram/chats.py).
   Then each person's pace is checked (bot/telegram/flood.py): an update over
   their limit is dropped, the first of a flood answered with a cool-down notice.
2. One update per user at a time — the inbox's claims already give each person
   one update at a time across processes; the lock keeps it so within a process
   for updates fed another way (a test feeding the dispatcher directly).
3. A unit of work per update — opened here, the person registered on it, and
   whatever the handler left uncommitted committed at the end.

It also remembers each person's latest message id, so that an edit can be told
apart from an edit of something older (`latest_message_id`, see routers/survey.py).

The steps live in one middleware rather than three because each middleware
layer costs aiogram a wrapper per update, and this path runs for every tap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, Update, User

from bot.app.services import Services
from bot.core.lru import LRU
from bot.i18n import normalize_locale, t
from bot.telegram import chats
from bot.telegram.flood import FloodControl, Verdict
from bot.telegram.replies import Answer, answer, tell
from storage.repositories import UpdateLogRepo

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserLocks:
    """An asyncio lock per user, freed when nobody waits on it."""

    def __init__(self) -> None:
        """No user is busy yet."""
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def run(self, user_id: int, work: Callable[[], Awaitable[Any]]) -> Any:
        """Run `work` holding the user's lock."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        try:
            async with lock:
                return await work()
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:
                del self._waiting[user_id], self._locks[user_id]


LATEST_MEMORY = 100_000  # people whose latest message id is remembered


class UpdateGate(BaseMiddleware):
    """Serialises each user's updates and gives each a unit of work."""

    def __init__(self, services: Services) -> None:
        """Serve `services`."""
        self.services = services
        self.locks = UserLocks()
        # Whose latest message is which (in memory: after a restart an edit is not read).
        self.latest: LRU[int, int] = LRU(LATEST_MEMORY)
        self.flood = FloodControl()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Pass the update on in its user's turn, inside a unit of work."""
        assert isinstance(event, Update)
        user: User | None = data.get("event_from_user")
        if chats.outside_private(event, self.services.complaints.centre.chat_id):
            return await chats.point_to_private(event, data["bot"], self.flood)
        if user is None:
            return await self._in_unit_of_work(handler, event, data, None)
        verdict = self.flood.admit(user.id)
        if verdict is not Verdict.ADMIT:
            return await _hold_back(event, user, verdict)
        return await self.locks.run(
            user.id, lambda: self._in_unit_of_work(handler, event, data, user)
        )

    async def _in_unit_of_work(
        self, handler: Handler, event: Update, data: dict[str, Any], user: User | None
    ) -> Any:
        """Open the unit of work, stage the update id, run the handler, commit the rest."""
        services = self.services
        async with services.db.unit_of_work() as uow:
            UpdateLogRepo(uow).stage_mark(event.update_id, services.now())
            if user is not None and not user.is_bot:
                person = await services.people.seen(uow, user.id, user.language_code)
                data["person"] = person
                data["locale"] = person.locale
            else:
                data["locale"] = services.default_locale
            data["uow"] = uow
            data["services"] = services
            if user is not None:
                self._note_latest(event, user.id, data)
            result = await handler(event, data)
            if uow.pending:
                await uow.commit()
            return result

    def _note_latest(self, event: Update, user_id: int, data: dict[str, Any]) -> None:
        """Remember a new message's id; tell an edit's handler the latest one."""
        if event.message is not None:
            self.latest.put(user_id, event.message.message_id)
        elif event.edited_message is not None:
            latest = self.latest.get(user_id)
            data["latest_message_id"] = latest if isinstance(latest, int) else None


def gate_of(dp: Dispatcher) -> UpdateGate:
    """The update gate among a dispatcher's update middlewares (to adjust its flood
    control where simulated people act at machine speed)."""
    [gate] = [m for m in dp.update.outer_middleware if isinstance(m, UpdateGate)]
    return gate


async def _hold_back(event: Update, user: User, verdict: Verdict) -> None:
    """An update over the person's limit: the cool-down notice once, else silence (but a
    press's spinner is closed)."""
    notice = t(normalize_locale(user.language_code), "chat.flood")
    source = event.message or event.edited_message
    if event.callback_query is not None:
        toast = notice if verdict is Verdict.WARN else None
        await answer(event.callback_query, Answer(toast=toast))
    elif source is not None and verdict is Verdict.WARN:
        await tell(source, notice)
