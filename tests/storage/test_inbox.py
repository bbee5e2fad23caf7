"""The durable inbox: stored once, claimed in each person's order, leased, parked."""

from __future__ import annotations

import datetime as dt

from storage.inbox import Inbox, Incoming
from storage.uow import Database

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


class Wall:
    """A settable wall clock for leases."""

    def __init__(self) -> None:
        """Start at T0."""
        self.at = T0

    def __call__(self) -> dt.datetime:
        """The current instant."""
        return self.at


def update(update_id: int, person: int | None) -> Incoming:
    """An update of `person` with a recognisable payload."""
    return Incoming(update_id, person, f'{{"update_id": {update_id}}}')


async def test_a_redelivered_update_is_stored_once(db: Database) -> None:
    inbox = Inbox(db, Wall())
    await inbox.store([update(1, 7), update(2, 8)])
    await inbox.store([update(1, 7)])  # Telegram sends it again: a no-op
    assert (await inbox.depth()).pending == 2
    claimed = await inbox.claim("w", 10, LEASE)
    assert [c.update_id for c in claimed] == [1, 2]
    await inbox.finish(1)
    await inbox.store([update(1, 7)])  # also after it was handled
    assert (await inbox.depth()).pending == 1


async def test_one_person_at_a_time_in_order_others_flow(db: Database) -> None:
    inbox = Inbox(db, Wall())
    await inbox.store([update(1, 7), update(2, 7), update(3, 8), update(4, None)])
    first = await inbox.claim("a", 10, LEASE)
    assert [c.update_id for c in first] == [1, 3, 4]  # 2 waits for 1 (same person)
    assert await inbox.claim("b", 10, LEASE) == []  # all leased or waiting their turn
    await inbox.finish(1)
    [second] = await inbox.claim("b", 10, LEASE)
    assert second.update_id == 2 and second.payload == '{"update_id": 2}'


async def test_an_expired_lease_is_taken_again(db: Database) -> None:
    wall = Wall()
    inbox = Inbox(db, wall)
    await inbox.store([update(1, 7)])
    [item] = await inbox.claim("dead", 10, LEASE)
    assert item.attempts == 1
    wall.at += LEASE - dt.timedelta(seconds=1)
    assert await inbox.claim("b", 10, LEASE) == []
    wall.at += dt.timedelta(seconds=2)
    [again] = await inbox.claim("b", 10, LEASE)
    assert again.update_id == 1 and again.attempts == 2


async def test_repeated_failures_park_the_update_and_retry_puts_it_back(db: Database) -> None:
    wall = Wall()
    inbox = Inbox(db, wall)
    await inbox.store([update(1, 7), update(2, 7), update(3, 8)])
    later = dt.timedelta(seconds=5)
    for attempt in (1, 2):
        claimed = await inbox.claim("w", 10, LEASE)
        assert [c.update_id for c in claimed] == [1, 3][: len(claimed)]
        if attempt == 1:
            await inbox.finish(3)
        parked = await inbox.fail(1, "ValueError('boom')", max_attempts=2, retry_after=later)
        assert parked is (attempt == 2)
        wall.at += later * 2
    [after] = await inbox.claim("w", 10, LEASE)  # the person's next update flows on
    assert after.update_id == 2
    [p] = await inbox.parked()
    assert (p.update_id, p.person, p.attempts, p.error) == (1, 7, 2, "ValueError('boom')")
    assert (await inbox.depth()).parked == 1
    assert await inbox.retry([1]) == 1
    assert await inbox.parked() == []
    depth = await inbox.depth()
    assert (depth.pending, depth.parked, depth.oldest) == (2, 0, T0)


async def test_a_claim_says_who_handled_the_persons_previous_update(db: Database) -> None:
    inbox = Inbox(db, Wall())
    await inbox.store([update(1, 7), update(2, 8)])
    first = await inbox.claim("a", 10, LEASE)
    assert [c.previous_worker for c in first] == [None, None]
    await inbox.finish(1)
    await inbox.finish(2)
    await inbox.store([update(3, 7), update(4, 9)])
    claimed = {c.update_id: c.previous_worker for c in await inbox.claim("b", 10, LEASE)}
    assert claimed == {3: "a", 4: None}  # the caches of "b" may be stale for person 7


async def test_handled_updates_older_than_the_cutoff_are_purged(db: Database) -> None:
    """Only handled ones go (they hold what people typed); waiting and leased ones stay."""
    wall = Wall()
    inbox = Inbox(db, wall)
    await inbox.store([update(1, 7), update(2, 8), update(3, 9)])
    wall.at += dt.timedelta(hours=2)
    await inbox.store([update(4, 10)])
    claimed = await inbox.claim("w", 10, LEASE)
    for item in claimed:
        if item.update_id != 3:
            await inbox.finish(item.update_id)
    assert await inbox.purge_done(T0 + dt.timedelta(hours=1)) == 2  # 1 and 2; 4 is newer
    await inbox.store([update(1, 7)])  # stored again (Telegram redelivers): pending anew
    assert (await inbox.depth()).pending == 2  # 1 again, and 3 still leased to "w"
    assert await inbox.purge_done(T0 + dt.timedelta(hours=3)) == 1  # 4
