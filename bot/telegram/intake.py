"""Updates in through the durable inbox: long polling that stores before acknowledging,
and the worker that feeds stored updates to aiogram's dispatcher.

`getUpdates` acknowledges everything before the offset it is called with, so the
next call is made only once the previous batch is durably stored: a process killed
between receiving and handling loses nothing, the updates wait in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.app import metrics
from bot.app.inbox import InboxWorker, WorkerSettings, incoming
from bot.app.services import Services
from storage.inbox import Inbox

log = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds before getUpdates is tried again after a failure


def make_worker(dp: Dispatcher, bot: Bot, inbox: Inbox, settings: WorkerSettings) -> InboxWorker:
    """A worker feeding `dp` the updates it claims."""

    async def feed(payload: str) -> object:
        return await dp.feed_raw_update(bot, json.loads(payload))

    return InboxWorker(inbox, feed, settings)


class Poller:
    """getUpdates → inbox → next offset, until stopped."""

    def __init__(self, bot: Bot, dp: Dispatcher, inbox: Inbox, worker: InboxWorker) -> None:
        """Poll with `bot` for `dp`'s update types into `inbox`, waking `worker`."""
        self.bot, self.dp, self.inbox, self.worker = bot, dp, inbox, worker
        self.acknowledged = 0
        self.polls = 0

    async def run(self, timeout: int = 30) -> None:
        """Poll forever (cancel to stop: an unanswered getUpdates acknowledges nothing)."""
        offset: int | None = None
        types = self.dp.resolve_used_update_types()
        while True:
            try:
                call = GetUpdates(offset=offset, timeout=timeout, allowed_updates=types)
                updates: list[Update] = await self.bot(call)
                self.polls += 1
                if updates:
                    raws = [u.model_dump(mode="json", exclude_none=True) for u in updates]
                    await self.inbox.store([incoming(raw) for raw in raws])
                    self.worker.wake()
                    offset = updates[-1].update_id + 1
                    self.acknowledged += len(updates)
                    metrics.RECEIVED.labels("polling").inc(len(updates))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("getUpdates failed; trying again")
                await asyncio.sleep(RETRY_AFTER)


def forget_cached(services: Services, person: int) -> None:
    """Drop what this process cached about `person` (their state changed elsewhere)."""
    services.people.forget(person)
    services.survey.forget_person(person)


@contextlib.asynccontextmanager
async def dispatching(
    dp: Dispatcher,
    bot: Bot,
    inbox: Inbox,
    settings: WorkerSettings | None = None,
    several: bool = False,
) -> AsyncIterator[InboxWorker]:
    """The dispatcher's start-up hooks, then a worker feeding it, for the block; on
    leaving, the worker stops (in-flight updates finish) and the shutdown hooks run."""
    worker = make_worker(dp, bot, inbox, settings or WorkerSettings())
    if several:
        # Another process may have handled this person's previous update: what this one
        # cached about them is dropped first (correct; costs re-reads, see architecture).
        services: Services = dp["services"]
        worker.on_moved = lambda person: forget_cached(services, person)
    hooks = {"dispatcher": dp, "bots": [bot], "bot": bot, **dp.workflow_data}
    await dp.emit_startup(**hooks)
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
        await dp.emit_shutdown(**hooks)


@contextlib.asynccontextmanager
async def polling_through_inbox(
    dp: Dispatcher,
    bot: Bot,
    inbox: Inbox,
    settings: WorkerSettings | None = None,
    timeout: int = 30,
    several: bool = False,
) -> AsyncIterator[Poller]:
    """A worker and the poller for the block; polling stops first on leaving."""
    async with dispatching(dp, bot, inbox, settings, several) as worker:
        poller = Poller(bot, dp, inbox, worker)
        task = asyncio.create_task(poller.run(timeout), name="inbox-poller")
        try:
            yield poller
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
