"""Workers that take updates from the durable inbox and feed them to the dispatcher.

Framework-neutral: a worker is given `feed`, a coroutine taking the raw update
JSON (aiogram: `Dispatcher.feed_raw_update`), and knows nothing else of Telegram.
The inbox's claims keep one person's updates in order and one at a time, across
processes; a worker runs many people's updates at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.app import metrics
from storage.inbox import Claimed, Inbox, Incoming

log = logging.getLogger(__name__)

Feed = Callable[[str], Awaitable[object]]


def sender_of(raw: dict[str, Any]) -> int | None:
    """The user whose update this is (the key of per-person ordering), if any."""
    for key, body in raw.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        who = body.get("from") or body.get("user") or {}
        who_id = who.get("id") if isinstance(who, dict) else None
        if isinstance(who_id, int):
            return who_id
        chat = body.get("chat") or {}
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        return chat_id if isinstance(chat_id, int) else None
    return None


def incoming(raw: dict[str, Any]) -> Incoming:
    """A raw update as the inbox stores it."""
    return Incoming(int(raw["update_id"]), sender_of(raw), json.dumps(raw, ensure_ascii=False))


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker claims: in flight at once, lease, attempts before parking, idle wait."""

    concurrency: int = 64
    lease: dt.timedelta = dt.timedelta(seconds=60)
    max_attempts: int = 5
    retry_after: dt.timedelta = dt.timedelta(seconds=1)
    idle_poll: float = 0.5  # seconds between claims when nothing woke the worker


def worker_name() -> str:
    """host:pid, so a lease says which process holds it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class InboxWorker:
    """Claims updates, feeds them, finishes or fails them; `wake()` after storing new ones."""

    def __init__(self, inbox: Inbox, feed: Feed, settings: WorkerSettings | None = None) -> None:
        """Work `inbox` through `feed`."""
        self.inbox = inbox
        self.feed = feed
        self.settings = settings or WorkerSettings()
        self.name = worker_name()
        self.handled = 0
        self.parked = 0
        # Told of a person whose previous update another process handled (several
        # workers): whatever this process cached about them may be stale.
        self.on_moved: Callable[[int], None] | None = None
        # Told once of each update parked (the admins are notified through the outbox).
        self.on_parked: Callable[[Claimed, str], Awaitable[None]] | None = None
        self.moved = 0
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """New updates are stored (or one finished): claim now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        """Start claiming in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="inbox-worker")

    async def stop(self, grace: float = 30.0) -> None:
        """Stop claiming, let in-flight updates finish (bounded); the rest stay in the inbox."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._inflight:
            _, late = await asyncio.wait(self._inflight, timeout=grace)
            for task in late:  # their leases expire and another worker takes them
                task.cancel()

    async def _run(self) -> None:
        """Claim while there is room, then wait for a wake-up or the idle poll."""
        while not self._stopping:
            # Cleared before claiming, not after: an update stored while the claim is
            # under way sets it again, and is claimed at once instead of at the next
            # idle poll (clearing after the claim lost that wake-up: half a second).
            self._wake.clear()
            room = self.settings.concurrency - len(self._inflight)
            claimed: list[Claimed] = []
            if room > 0:
                try:
                    claimed = await self.inbox.claim(self.name, room, self.settings.lease)
                except Exception:  # the database is away: try again after the idle wait
                    log.exception("claiming from the inbox failed")
            for item in claimed:
                task = asyncio.create_task(self._handle(item))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            if claimed and len(claimed) == room:
                continue
            # asyncio.timeout, not wait_for, which on 3.11 can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.idle_poll):
                    await self._wake.wait()

    def _note_move(self, item: Claimed) -> None:
        """Tell `on_moved` of a person last handled elsewhere (or by nobody known)."""
        moved = item.person is not None and item.previous_worker != self.name
        if self.on_moved is not None and item.person is not None and moved:
            self.moved += 1
            self.on_moved(item.person)

    async def _tell_parked(self, item: Claimed, error: str) -> None:
        """Tell `on_parked` of a parked update; its failure is logged, never raised (the
        update is parked already, and the worker must go on)."""
        if self.on_parked is None:
            return
        try:
            await self.on_parked(item, error)
        except Exception:
            log.exception("could not tell the admins that update %s is parked", item.update_id)

    async def _handle(self, item: Claimed) -> None:
        """Feed one update; finish it, or fail it (parked after too many attempts)."""
        started = time.perf_counter()
        try:
            # A retaken update may have been handled by a worker that died before
            # finishing it: its effects and its id were committed together.
            if item.attempts == 1 or not await self.inbox.handled_before(item.update_id):
                self._note_move(item)
                await self.feed(item.payload)
            await self.inbox.finish(item.update_id)
            self.handled += 1
            metrics.HANDLED.inc()
            metrics.HANDLING.observe(time.perf_counter() - started)
        except Exception as exc:
            metrics.FAILED.inc()
            log.warning("update %s failed (attempt %s): %r", item.update_id, item.attempts, exc)
            s = self.settings
            if await self.inbox.fail(item.update_id, repr(exc), s.max_attempts, s.retry_after):
                self.parked += 1
                metrics.PARKED.inc()
                log.error("update %s parked after %s attempts", item.update_id, item.attempts)
                await self._tell_parked(item, repr(exc))
        finally:
            self._wake.set()
