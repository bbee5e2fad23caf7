"""Inbox workers: each person's updates in order, a failing update parked, the rest flow."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from bot.app.inbox import InboxWorker, WorkerSettings
from bot.core.clock import SystemClock
from storage.inbox import Inbox, Incoming
from storage.migrate import upgrade_to_head
from storage.uow import Database
from tests.storage.conftest import database_url, db  # noqa: F401 (fixtures)

WAIT = 30.0
QUICK = WorkerSettings(concurrency=8, retry_after=dt.timedelta(milliseconds=20), max_attempts=3)


async def until(check: Callable[[], bool], what: str) -> None:
    """Wait (bounded) until `check()` holds."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.01)


def raw(update_id: int, person: int) -> Incoming:
    """An update of `person`."""
    return Incoming(update_id, person, json.dumps({"update_id": update_id, "person": person}))


async def test_a_failing_update_is_parked_after_its_retries_and_the_others_flow(
    db: Database,  # noqa: F811
) -> None:
    inbox = Inbox(db, SystemClock().now)
    seen: list[tuple[int, int]] = []
    attempts: dict[int, int] = {}

    async def feed(payload: str) -> None:
        update = json.loads(payload)
        attempts[update["update_id"]] = attempts.get(update["update_id"], 0) + 1
        if update["update_id"] == 2:
            raise ValueError("this handler always fails")
        seen.append((update["person"], update["update_id"]))

    worker = InboxWorker(inbox, feed, QUICK)
    worker.start()
    try:
        await inbox.store([raw(1, 7), raw(2, 7), raw(3, 7), raw(4, 8), raw(5, 8), raw(6, 9)])
        worker.wake()
        await until(lambda: worker.handled == 5 and worker.parked == 1, "5 handled, 1 parked")
    finally:
        await worker.stop()
    assert attempts[2] == 3  # retried, then parked
    assert [u for p, u in seen if p == 7] == [1, 3]  # in order; 3 waited for 2's fate
    assert [u for p, u in seen if p == 8] == [4, 5]
    [parked] = await inbox.parked()
    assert parked.update_id == 2 and "this handler always fails" in parked.error
    assert (await inbox.depth()).pending == 0


async def test_stop_leaves_unclaimed_updates_in_the_inbox(db: Database) -> None:  # noqa: F811
    inbox = Inbox(db, SystemClock().now)
    release = asyncio.Event()
    fed: list[int] = []

    async def feed(payload: str) -> None:
        fed.append(json.loads(payload)["update_id"])
        await release.wait()

    worker = InboxWorker(inbox, feed, QUICK)
    worker.start()
    await inbox.store([raw(1, 7), raw(2, 7)])
    worker.wake()
    await until(lambda: fed == [1], "the first update in flight")
    stopping = asyncio.create_task(worker.stop())
    release.set()  # the in-flight update finishes; the next one is not taken
    await stopping
    assert fed == [1] and worker.handled == 1
    assert (await inbox.depth()).pending == 1


async def test_a_person_last_handled_elsewhere_is_forgotten_first(
    db: Database,  # noqa: F811
) -> None:
    inbox = Inbox(db, SystemClock().now)
    order: list[tuple[str, int]] = []

    async def feed(payload: str) -> None:
        order.append(("feed", json.loads(payload)["update_id"]))

    elsewhere = InboxWorker(inbox, feed, QUICK)
    elsewhere.name = "elsewhere"
    await inbox.store([raw(1, 7)])
    elsewhere.start()
    elsewhere.wake()
    await until(lambda: elsewhere.handled == 1, "update 1 handled elsewhere")
    await elsewhere.stop()
    here = InboxWorker(inbox, feed, QUICK)
    here.on_moved = lambda person: order.append(("forget", person))
    here.start()
    try:
        await inbox.store([raw(2, 7)])
        here.wake()
        await until(lambda: here.handled == 1, "update 2 handled here")
        await inbox.store([raw(3, 7)])
        here.wake()
        await until(lambda: here.handled == 2, "update 3 handled here")
    finally:
        await here.stop()
    # forgotten before update 2 (last handled elsewhere), not before 3 (handled here)
    assert order == [("feed", 1), ("forget", 7), ("feed", 2), ("feed", 3)]


async def test_the_background_purge_keeps_a_day_of_handled_updates(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`Services.purge_inbox` (run hourly by the background jobs) deletes handled updates
    received more than a day ago, on the wall clock."""
    from bot.app.runtime import open_services
    from bot.core.clock import FixedClock

    await upgrade_to_head(database_url)
    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    async with open_services(database_url, campaigns, FixedClock.on_day(dt.date(2011, 8, 1))) as s:
        wall = [dt.datetime(2026, 12, 2, 8, tzinfo=dt.UTC)]
        s.inbox.now = lambda: wall[0]
        await s.inbox.store([raw(1, 7), raw(2, 8)])
        for item in await s.inbox.claim("w", 10, dt.timedelta(seconds=30)):
            await s.inbox.finish(item.update_id)
        wall[0] += dt.timedelta(hours=23)
        assert await s.purge_inbox() == 0
        wall[0] += dt.timedelta(hours=2)
        assert await s.purge_inbox() == 2
