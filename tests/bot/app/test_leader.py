"""The background jobs run in one process at a time; a dead leader is replaced
within the lease's time."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from bot.app.leader import BACKGROUND, Leadership
from bot.core.clock import SystemClock
from storage.leases import Leases
from storage.models import Lease
from storage.uow import Database
from tests.storage.conftest import database_url, db  # noqa: F401 (fixtures)

# Long enough that a loaded machine renews in time as a rule; the assertions below do
# not depend on it (a missed renewal is a legitimate handover, never two leaders).
TTL = dt.timedelta(seconds=3)
TAKEOVER_WAIT = 120.0  # seconds: generous, a busy 2-core machine may be slow


class Jobs:
    """Counts starts and stops of one process's background jobs, and when they started."""

    def __init__(self) -> None:
        """Not running."""
        self.running = False
        self.starts = 0
        self.started_at: dt.datetime | None = None

    def start(self) -> None:
        """Start."""
        assert not self.running
        self.running, self.starts = True, self.starts + 1
        self.started_at = SystemClock().now()

    async def stop(self) -> None:
        """Stop."""
        self.running = False


async def lease_row(db: Database) -> tuple[str, dt.datetime]:  # noqa: F811
    """The background lease's holder and expiry."""
    async with db.sessions() as session:
        row = await session.get(Lease, BACKGROUND)
    assert row is not None
    return row.holder, row.until


async def wait_until(check: Callable[[], bool], what: str) -> None:
    """Wait (bounded, generously) until `check()` holds."""
    async with asyncio.timeout(TAKEOVER_WAIT):
        while not check():  # noqa: ASYNC110 (polling plain attributes)
            await asyncio.sleep(0.01)


async def test_one_leader_and_a_takeover_when_it_dies(db: Database) -> None:  # noqa: F811
    leases = Leases(db, SystemClock().now)
    jobs = [Jobs() for _ in range(3)]
    leaders = [Leadership(leases, j.start, j.stop, TTL) for j in jobs]
    for i, leader in enumerate(leaders):
        leader.name = f"worker-{i}"
    tasks = [asyncio.create_task(leader.run()) for leader in leaders]
    try:
        await wait_until(lambda: any(j.running for j in jobs), "a leader")
        first = next(i for i, j in enumerate(jobs) if j.running)
        tasks[first].cancel()  # dies without resigning: its lease has to expire
        await asyncio.gather(tasks[first], return_exceptions=True)
        holder, dead_until = await lease_row(db)
        others = [j for i, j in enumerate(jobs) if i != first]
        await wait_until(lambda: any(j.running for j in others), "a new leader")
        # The lease's semantics, whatever the machine's speed: nobody took it over
        # before the dead holder's last renewal expired, and the row names the new
        # holder with a later expiry.
        new = next(j for j in others if j.running)
        assert new.started_at is not None and new.started_at >= dead_until
        new_holder, new_until = await lease_row(db)
        assert holder == leaders[first].name and new_holder != holder
        assert new_until > dead_until
        await wait_until(lambda: sum(j.running for j in others) == 1, "one leader")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_resigning_hands_over_at_once(db: Database) -> None:  # noqa: F811
    leases = Leases(db, SystemClock().now)
    long = dt.timedelta(seconds=60)
    assert await leases.acquire("background", "a", long)
    assert not await leases.acquire("background", "b", long)
    assert await leases.acquire("background", "a", long)  # renewal
    await leases.release("background", "a")
    assert await leases.acquire("background", "b", long)
