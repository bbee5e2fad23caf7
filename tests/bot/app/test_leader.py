"""The background jobs run in one process at a time; a dead leader is replaced
within the lease's time."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.app.leader import Leadership
from bot.core.clock import SystemClock
from storage.leases import Leases
from storage.uow import Database
from tests.bot.app.test_inbox_worker import until
from tests.storage.conftest import database_url, db  # noqa: F401 (fixtures)

TTL = dt.timedelta(seconds=0.9)


class Jobs:
    """Counts starts and stops of one process's background jobs."""

    def __init__(self) -> None:
        """Not running."""
        self.running = False
        self.starts = 0

    def start(self) -> None:
        """Start."""
        assert not self.running
        self.running, self.starts = True, self.starts + 1

    async def stop(self) -> None:
        """Stop."""
        self.running = False


async def test_one_leader_and_a_takeover_when_it_dies(db: Database) -> None:  # noqa: F811
    leases = Leases(db, SystemClock().now)
    jobs = [Jobs() for _ in range(3)]
    leaders = [Leadership(leases, j.start, j.stop, TTL) for j in jobs]
    for i, leader in enumerate(leaders):
        leader.name = f"worker-{i}"
    tasks = [asyncio.create_task(leader.run()) for leader in leaders]
    try:
        await until(lambda: sum(j.running for j in jobs) == 1, "one leader")
        first = next(i for i, j in enumerate(jobs) if j.running)
        for _ in range(3):  # renewals keep the same leader, and only it
            await asyncio.sleep(TTL.total_seconds() / 2)
            assert [j.running for j in jobs].count(True) == 1 and jobs[first].running
        tasks[first].cancel()  # dies without resigning: its lease has to expire
        started = asyncio.get_running_loop().time()
        await until(
            lambda: any(j.running for i, j in enumerate(jobs) if i != first), "a new leader"
        )
        assert asyncio.get_running_loop().time() - started < TTL.total_seconds() * 3
        others = [j for i, j in enumerate(jobs) if i != first]
        assert sum(j.running for j in others) == 1 and sum(j.starts for j in others) == 1
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
