"""The update queue behind getUpdates: ids, confirmation by offset, long polling.

Semantics follow the Bot API: an update stays pending until a getUpdates call
passes an offset above its id; `allowed_updates` persists between calls, and
updates of other types are never delivered; a newer getUpdates call ends an
older one still waiting with 409 Conflict.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from bot.localapi.errors import ApiError
from bot.localapi.models import Pulse

JsonDict = dict[str, Any]

# What Telegram delivers when allowed_updates is empty or was never set.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)


def update_type(update: JsonDict) -> str:
    """The kind of an update: its one key besides update_id."""
    return next((key for key in update if key != "update_id"), "unknown")


@dataclass
class _Entry:
    """A queued update; `forced` ones (redeliveries) ignore offsets until handed out once."""

    update: JsonDict
    forced: bool = False
    handed_out: bool = False

    @property
    def update_id(self) -> int:
        update_id: int = self.update["update_id"]
        return update_id


class UpdateQueue:
    """Pending updates in delivery order, and the long-poll waiting on them."""

    def __init__(self) -> None:
        """Update ids start at 1."""
        self._entries: list[_Entry] = []
        self._history: dict[int, JsonDict] = {}
        self._last_id = 0
        self._allowed: frozenset[str] | None = None  # None: Telegram's default set
        self._generation = 0
        self._closed = False
        self._pulse = Pulse()
        self.filtered: list[JsonDict] = []  # dropped because of allowed_updates

    @property
    def pending(self) -> int:
        """Updates queued or delivered but not yet confirmed."""
        return len(self._entries)

    def history(self) -> dict[int, JsonDict]:
        """Every update ever queued, by id."""
        return dict(self._history)

    def push(self, kind: str, payload: JsonDict) -> int:
        """Queue a new update of `kind` and return its update_id."""
        self._last_id += 1
        return self._queue({"update_id": self._last_id, kind: payload}, forced=False)

    def push_raw(self, update: JsonDict) -> int:
        """Queue a caller-made update; one carrying its own update_id is delivered regardless."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            self._last_id += 1
            update["update_id"] = self._last_id
            return self._queue(update, forced=False)
        self._last_id = max(self._last_id, int(update["update_id"]))
        return self._queue(update, forced=True)

    def redeliver(self, update_id: int) -> None:
        """Queue an update again under the same id, as an at-least-once transport may."""
        original = self._history.get(update_id)
        if original is None:
            raise LookupError(f"no update {update_id} was ever queued")
        self._queue(copy.deepcopy(original), forced=True)

    def drop_pending(self) -> None:
        """deleteWebhook(drop_pending_updates=True)."""
        self._entries.clear()
        self._pulse.notify()

    def close(self) -> None:
        """Release every waiting getUpdates with an empty answer (server shutting down)."""
        self._closed = True
        self._pulse.notify()

    async def fetch(
        self,
        *,
        offset: int | None,
        limit: int,
        timeout: float,
        allowed: Collection[str] | None,
        alive: Callable[[], bool],
    ) -> list[JsonDict]:
        """One getUpdates call: confirm, then wait up to `timeout` s for something to deliver."""
        self._generation += 1
        generation = self._generation
        self._pulse.notify()  # an older call still waiting now ends with 409
        if allowed is not None:
            self._allowed = frozenset(allowed) or None
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (batch := self._take(limit)) and not self._closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._pulse.wait(remaining)
            if generation != self._generation:
                raise _CONFLICT
        if not alive():
            return []  # the client went away: leave everything for the next call
        for entry in batch:
            entry.handed_out = True
        return [copy.deepcopy(entry.update) for entry in batch]

    async def next_unsent(self, busy: set[int], timeout: float) -> list[JsonDict]:
        """For webhook delivery: the queued updates not in `busy`, waiting up to `timeout`."""
        ready = await self._pulse.until(
            lambda: [e for e in self._entries if e.update_id not in busy] or None, timeout
        )
        return [copy.deepcopy(e.update) for e in ready or []]

    def notify(self) -> None:
        """Wake whoever waits on the queue (a webhook slot came free)."""
        self._pulse.notify()

    def confirm_one(self, update_id: int) -> None:
        """The webhook answered 2xx: the update is delivered."""
        self._entries = [e for e in self._entries if e.update_id != update_id]
        self._pulse.notify()

    # -- internals ---------------------------------------------------------------------

    def _queue(self, update: JsonDict, *, forced: bool) -> int:
        update_id = int(update["update_id"])
        self._history[update_id] = copy.deepcopy(update)
        self._entries.append(_Entry(update, forced=forced))
        self._pulse.notify()
        return update_id

    def _confirm(self, offset: int | None) -> None:
        """Drop what the offset confirms (a negative offset keeps only the last -offset)."""
        if not offset:
            return
        if offset < 0:
            self._entries = self._entries[offset:]
            return
        self._entries = [
            entry
            for entry in self._entries
            if (entry.forced and not entry.handed_out)
            or (not entry.forced and entry.update_id >= offset)
        ]

    def _take(self, limit: int) -> list[_Entry]:
        """The next `limit` deliverable entries; others of a type not allowed are dropped.

        A batch is in id order even with redeliveries in it, because clients confirm
        with the id of the last update they got plus one.
        """
        allowed = [entry for entry in self._entries if self._is_allowed(entry)]
        if len(allowed) != len(self._entries):
            self.filtered.extend(e.update for e in self._entries if not self._is_allowed(e))
            self._entries = allowed
        return sorted(allowed, key=lambda entry: entry.update_id)[:limit]

    def _is_allowed(self, entry: _Entry) -> bool:
        kind = update_type(entry.update)
        if self._allowed is None:
            return kind not in _NOT_DELIVERED_BY_DEFAULT
        return kind in self._allowed
