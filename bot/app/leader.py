"""The background jobs run once across workers: the process holding the "background"
lease runs them (bot/app/services.py: outbox, reminders, escalations, bulletins,
retention, score refresh), renewing it every `ttl / 3`; if it dies, another process takes the
lease over within `ttl` and starts them.  A holder that fails to renew in time
stops them before its lease can have passed to someone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from prometheus_client import Gauge

from bot.app.inbox import worker_name
from storage.leases import Leases

log = logging.getLogger(__name__)

BACKGROUND = "background"
TTL = dt.timedelta(seconds=6)
LEADER = Gauge("pingyi_background_leader", "1 while this process runs the background jobs")


class Leadership:
    """Runs `start()` while this process holds the lease, `stop()` when it loses it."""

    def __init__(
        self,
        leases: Leases,
        start: Callable[[], None],
        stop: Callable[[], Awaitable[None]],
        ttl: dt.timedelta = TTL,
    ) -> None:
        """Contend for the background lease."""
        self.leases, self.start_jobs, self.stop_jobs, self.ttl = leases, start, stop, ttl
        self.name = worker_name()
        self.leading = False
        self.terms = 0  # how many times this process became leader

    async def run(self) -> None:
        """Contend until cancelled."""
        period = self.ttl.total_seconds() / 3
        while True:
            try:
                # asyncio.timeout, not wait_for: on 3.11, wait_for can swallow a cancel
                # that arrives as the acquire completes, and the loop would never stop.
                async with asyncio.timeout(period):
                    held = await self.leases.acquire(BACKGROUND, self.name, self.ttl)
            except Exception:  # the database is away: we cannot know we still lead
                log.warning("background lease not renewed", exc_info=True)
                held = False
            await self._become(held)
            await asyncio.sleep(period)

    async def _become(self, held: bool) -> None:
        """Start or stop the jobs as leadership changes."""
        if held and not self.leading:
            self.leading, self.terms = True, self.terms + 1
            LEADER.set(1)
            log.info("%s leads the background jobs", self.name)
            self.start_jobs()
        elif not held and self.leading:
            self.leading = False
            LEADER.set(0)
            log.warning("%s lost the background lease; stopping the jobs", self.name)
            await self.stop_jobs()

    async def resign(self) -> None:
        """Stop the jobs (if leading) and free the lease for another process."""
        if self.leading:
            self.leading = False
            LEADER.set(0)
            await self.stop_jobs()
        with contextlib.suppress(Exception):
            await self.leases.release(BACKGROUND, self.name)


@contextlib.asynccontextmanager
async def elected(leadership: Leadership) -> AsyncIterator[Leadership]:
    """Contend for the lease for the block; resign on leaving."""
    task = asyncio.create_task(leadership.run(), name="leadership")
    try:
        yield leadership
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await leadership.resign()
