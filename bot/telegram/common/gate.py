"""The gate every update passes before any route, whatever the framework.

1. Duplicates never get here: every update is stored in the durable inbox keyed by
   its id before it is acknowledged, and a worker feeds it to the adapter once
   (storage/inbox.py, bot/app/inbox.py).  The id is stored in `processed_updates`
   with the update's own writes, so a worker that takes over an update whose first
   worker died knows whether its effects were committed.  Anything from a chat that
   is not private is answered or ignored by `chats` (bot/telegram/common/chats.py)
   and goes no further.  Then each person's pace is checked (flood.py): an update
   over their limit is dropped, the first of a flood answered with a cool-down notice.
2. One update per user at a time — the inbox's claims already give each person one
   update at a time across processes; the lock keeps it so within a process for
   updates fed another way (a test feeding the adapter directly).
3. A unit of work per update — opened here, the person registered on it, and whatever
   the handler left uncommitted committed at the end.

It also remembers each person's latest message id, so that an edit can be told apart
from an edit of something older (`latest_message_id`, see handlers/survey.py).  Each
adapter calls `Gate.run` from its own middleware idiom (aiogram: an outer update
middleware; ptb: the one callback its handlers share).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app.services import Services
from bot.core.lru import LRU
from bot.i18n import normalize_locale, t
from bot.telegram.common import chats
from bot.telegram.common.flood import FloodControl, Verdict
from bot.telegram.common.incoming import Incoming, answer, tell
from bot.telegram.common.replies import Answer
from storage.repositories import UpdateLogRepo

Work = Callable[[Incoming, dict[str, Any]], Awaitable[Any]]


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


class Gate:
    """Serialises each user's updates and gives each a unit of work."""

    def __init__(self, services: Services) -> None:
        """Serve `services`."""
        self.services = services
        self.locks = UserLocks()
        # Whose latest message is which (in memory: after a restart an edit is not read).
        self.latest: LRU[int, int] = LRU(LATEST_MEMORY)
        self.flood = FloodControl()
        # Called with each update id once the gate is done with it (tests wait on these).
        self.on_finished: list[Callable[[int], None]] = []

    async def run(self, event: Incoming | None, update_id: int, work: Work) -> None:
        """Pass the update on in its user's turn, inside a unit of work."""
        try:
            await self._admit(event, update_id, work)
        finally:
            for hook in self.on_finished:
                hook(update_id)

    async def _admit(self, event: Incoming | None, update_id: int, work: Work) -> None:
        if event is None:  # an update kind the bot does not serve: only marked handled
            return await self._in_unit_of_work(None, update_id, work)
        if chats.outside_private(event, self.services.complaints.centre.chat_id):
            return await chats.point_to_private(event, self.flood)
        if event.user_id is None:
            return await self._in_unit_of_work(event, update_id, work)
        verdict = self.flood.admit(event.user_id)
        if verdict is not Verdict.ADMIT:
            return await _hold_back(event, verdict)
        user_id = event.user_id
        await self.locks.run(user_id, lambda: self._in_unit_of_work(event, update_id, work))

    async def _in_unit_of_work(self, event: Incoming | None, update_id: int, work: Work) -> None:
        """Open the unit of work, stage the update id, run the routes, commit the rest."""
        services = self.services
        async with services.db.unit_of_work() as uow:
            UpdateLogRepo(uow).stage_mark(update_id, services.now())
            data: dict[str, Any] = {"uow": uow, "services": services}
            data["locale"] = services.default_locale
            if event is not None and event.user_id is not None and not event.is_bot:
                person = await services.people.seen(uow, event.user_id, event.language_code)
                data["person"] = person
                data["locale"] = person.locale
            if event is not None:
                self._note_latest(event, data)
                await work(event, data)
            if uow.pending:
                await uow.commit()

    def _note_latest(self, event: Incoming, data: dict[str, Any]) -> None:
        """Remember a new message's id; tell an edit's handler the latest one."""
        if event.user_id is None or event.message_id is None:
            return
        if event.kind == "edited":
            latest = self.latest.get(event.user_id)
            data["latest_message_id"] = latest if isinstance(latest, int) else None
        elif event.kind != "press":
            self.latest.put(event.user_id, event.message_id)


async def _hold_back(event: Incoming, verdict: Verdict) -> None:
    """An update over the person's limit: the cool-down notice once, else silence (but a
    press's spinner is closed)."""
    notice = t(normalize_locale(event.language_code), "chat.flood")
    if event.kind == "press":
        toast = notice if verdict is Verdict.WARN else None
        await answer(event, Answer(toast=toast))
    elif verdict is Verdict.WARN:
        await tell(event, notice)
