"""Updates in through the durable inbox, whatever the framework: long polling that
stores before acknowledging, and the workers that feed stored updates to a `Frontend`.

`getUpdates` acknowledges everything before the offset it is called with, so the
next call is made only once the previous batch is durably stored: a process killed
between receiving and handling loses nothing, the updates wait in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.app import metrics
from bot.app.inbox import InboxWorker, WorkerSettings, incoming
from bot.app.services import Services
from bot.i18n import echo, t
from bot.telegram.common.frontend import Frontend
from storage.inbox import Claimed, Inbox
from storage.outbox import Single

log = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds before getUpdates is tried again after a failure
ERROR_SHOWN = 300  # characters of a parked update's error shown to the admins


def make_worker(front: Frontend, inbox: Inbox, settings: WorkerSettings) -> InboxWorker:
    """A worker feeding `front` the updates it claims."""

    async def feed(payload: str) -> object:
        await front.feed(json.loads(payload))
        return None

    worker = InboxWorker(inbox, feed, settings)
    services = front.sender.services
    if services is not None:
        worker.on_parked = parked_notice(services)
    return worker


def parked_notice(services: Services) -> Callable[[Claimed, str], Awaitable[None]]:
    """Queue, through the outbox, a notice to every configured admin that an update is
    parked (its id, person, attempts and error), in the admin's language."""

    async def tell(item: Claimed, error: str) -> None:
        messages = []
        for admin in services.access.admin_ids:
            async with services.db.unit_of_work() as uow:
                person = await services.people.get(uow, admin)
            locale = person.locale if person is not None else services.default_locale
            text = t(
                locale,
                "inbox.parked_notice",
                id=item.update_id,
                person=item.person if item.person is not None else "—",
                attempts=item.attempts,
                error=echo(" ".join(error.split()), ERROR_SHOWN),
            )
            messages.append(Single(admin, locale, text))
        await services.outbox.enqueue(messages)

    return tell


class Poller:
    """getUpdates → inbox → next offset, until stopped."""

    def __init__(self, front: Frontend, inbox: Inbox, worker: InboxWorker) -> None:
        """Poll with `front` into `inbox`, waking `worker`."""
        self.front, self.inbox, self.worker = front, inbox, worker
        self.acknowledged = 0
        self.polls = 0

    async def run(self, timeout: int = 30) -> None:
        """Poll forever (cancel to stop: an unanswered getUpdates acknowledges nothing)."""
        offset: int | None = None
        while True:
            try:
                raws = await self.front.get_updates(offset, timeout)
                self.polls += 1
                if raws:
                    await self.inbox.store([incoming(raw) for raw in raws])
                    self.worker.wake()
                    offset = int(raws[-1]["update_id"]) + 1
                    self.acknowledged += len(raws)
                    metrics.RECEIVED.labels("polling").inc(len(raws))
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
    front: Frontend,
    inbox: Inbox,
    settings: WorkerSettings | None = None,
    several: bool = False,
) -> AsyncIterator[InboxWorker]:
    """The frontend's start-up, then a worker feeding it, for the block; on leaving, the
    worker stops (in-flight updates finish) and the frontend shuts down."""
    worker = make_worker(front, inbox, settings or WorkerSettings())
    if several:
        # Another process may have handled this person's previous update: what this one
        # cached about them is dropped first (correct; costs re-reads, see architecture).
        services = front.gate.services
        worker.on_moved = lambda person: forget_cached(services, person)
    await front.startup()
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
        await front.shutdown()


@contextlib.asynccontextmanager
async def polling_through_inbox(
    front: Frontend,
    inbox: Inbox,
    settings: WorkerSettings | None = None,
    timeout: int = 30,
    several: bool = False,
) -> AsyncIterator[Poller]:
    """A worker and the poller for the block; polling stops first on leaving."""
    async with dispatching(front, inbox, settings, several) as worker:
        poller = Poller(front, inbox, worker)
        task = asyncio.create_task(poller.run(timeout), name="inbox-poller")
        try:
            yield poller
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
