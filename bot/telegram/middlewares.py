"""The gate every update passes before any router: one outer middleware, three steps.

1. Drop duplicates — an update id seen before (redelivered by a webhook, or
   replayed) is dropped.  Ids handled before a restart are read back from the
   database at start-up; the id is stored with the update's own writes.
   Then anything from a chat that is not private (a group, a channel) is
   answered or ignored by `chats` and goes no further (bot/telegram/chats.py).
   Then each person's pace is checked (bot/telegram/flood.py): an update over
   their limit is dropped, the first of a flood answered with a cool-down notice.
2. One update per user at a time — aiogram has no event isolation by default,
   so two fast taps would race on the same questionnaire.
3. A unit of work per update — opened here, the person registered on it, and
   whatever the handler left uncommitted committed at the end.

It also remembers each person's latest message id, so that an edit can be told
apart from an edit of something older (`latest_message_id`, see routers/survey.py).

The steps live in one middleware rather than three because each middleware
layer costs aiogram a wrapper per update, and this path runs for every tap.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
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


class RecentUpdates:
    """The last N update ids handled (or being handled), oldest forgotten first."""

    def __init__(self, remember: int) -> None:
        """Keep at most `remember` ids."""
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember
        self.dropped = 0

    def preload(self, update_ids: list[int]) -> None:
        """Seed with ids handled before a restart (newest first, as the database gives them)."""
        for update_id in reversed(update_ids):
            self.add(update_id)

    def add(self, update_id: int) -> None:
        """Remember an id."""
        self._seen[update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)

    def forget(self, update_id: int) -> None:
        """Forget an id whose handling failed, so a redelivery may retry it."""
        self._seen.pop(update_id, None)

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._seen


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
    """Drops duplicates, serialises each user's updates, gives each a unit of work."""

    def __init__(self, services: Services, remember: int) -> None:
        """Serve `services`; remember the last `remember` update ids."""
        self.services = services
        self.recent = RecentUpdates(remember)
        self.locks = UserLocks()
        # Whose latest message is which (in memory: after a restart an edit is not read).
        self.latest: LRU[int, int] = LRU(LATEST_MEMORY)
        self.flood = FloodControl()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Pass the update on once, in its user's turn, inside a unit of work."""
        assert isinstance(event, Update)
        if event.update_id in self.recent:
            self.recent.dropped += 1
            return None
        self.recent.add(event.update_id)
        user: User | None = data.get("event_from_user")
        try:
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
        except BaseException:
            self.recent.forget(event.update_id)  # not handled: a redelivery may retry it
            raise

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
