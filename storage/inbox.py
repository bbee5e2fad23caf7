"""The durable inbox: store an update before acknowledging it; claim, finish, park.

Storing goes through the group-commit writer (a burst of webhook requests is one
transaction); a redelivered update id is ignored by the primary key, so a
redelivery is a no-op.  Claims hand each worker the oldest pending update of
people with nothing older pending, so one person's updates are handled one at a
time and in order, across processes: on PostgreSQL the claim's rows are locked
`FOR UPDATE SKIP LOCKED`, so two workers never take the same row; on SQLite the
single writer orders every claim (one process).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from storage.models import InboxUpdate, ProcessedUpdate
from storage.uow import Database
from storage.writer import Prepared

RANK_INBOX = 100  # after every feature's writes in a batch: nothing refers to it
ERROR_CHARS = 2000  # how much of a handler's error is kept with a parked update


@dataclass(frozen=True)
class Incoming:
    """An update as received: its id, its sender (if any) and its raw JSON."""

    update_id: int
    person: int | None
    payload: str


@dataclass(frozen=True)
class Claimed:
    """An update leased to a worker; `attempts` counts this one; `previous_worker` handled
    the person's latest finished update (None: none is known)."""

    update_id: int
    person: int | None
    payload: str
    attempts: int
    previous_worker: str | None = None


@dataclass(frozen=True)
class Parked:
    """An update set aside after failing too often."""

    update_id: int
    person: int | None
    attempts: int
    error: str
    received_at: dt.datetime


@dataclass(frozen=True)
class Depth:
    """How many updates wait, and since when the oldest."""

    pending: int
    parked: int
    oldest: dt.datetime | None


class Inbox:
    """The inbox table over one database; `now` is the wall clock (leases are real time)."""

    def __init__(self, db: Database, now: Callable[[], dt.datetime]) -> None:
        """Prepare the statements for `db`'s dialect."""
        self.db = db
        self.now = now
        self.postgres = db.engine.dialect.name == "postgresql"
        module = postgresql if self.postgres else sqlite
        self._store = Prepared(
            module.insert(InboxUpdate).on_conflict_do_nothing(index_elements=["update_id"]),
            RANK_INBOX,
            "store_inbox",
        )
        i = InboxUpdate
        self._finish = Prepared(
            update(i)
            .where(i.update_id == bindparam("uid"))
            .values(state="done", lease_until=None, error=None),
            RANK_INBOX,
            "finish_inbox",
        )
        self._pick, self._lease = _claim_statements(self.postgres)

    async def store(self, updates: Sequence[Incoming]) -> None:
        """Make the updates durable (ids already stored are left alone); then ack them."""
        now = self.now()
        async with self.db.unit_of_work() as uow:
            for u in updates:
                uow.stage(
                    self._store,
                    update_id=u.update_id,
                    person=u.person,
                    payload=u.payload,
                    state="pending",
                    attempts=0,
                    received_at=now,
                )
            await uow.commit()

    async def claim(self, worker: str, limit: int, lease: dt.timedelta) -> list[Claimed]:
        """Lease up to `limit` updates, each its person's oldest pending one, to `worker`."""
        now = self.now()
        return await self.db.writer.run(lambda conn: self._claim(conn, worker, limit, now, lease))

    def _claim(
        self, conn: Connection, worker: str, limit: int, now: dt.datetime, lease: dt.timedelta
    ) -> list[Claimed]:
        """The claim's transaction: pick, then lease (statements built once, in
        `_claim_statements`: building them anew took most of the writer's time)."""
        rows = conn.execute(self._pick, {"now": now, "limit": limit}).all()
        if not rows:
            return []
        ids = [r.update_id for r in rows]
        conn.execute(self._lease, {"ids": ids, "until": now + lease, "worker": worker})
        return [Claimed(r.update_id, r.person, r.payload, r.attempts + 1, r.previous) for r in rows]

    async def finish(self, update_id: int) -> None:
        """The update is handled (group-committed with other finishes)."""
        async with self.db.unit_of_work() as uow:
            uow.stage(self._finish, uid=update_id)
            await uow.commit()

    async def fail(
        self, update_id: int, error: str, max_attempts: int, retry_after: dt.timedelta
    ) -> bool:
        """A handler failed: park the update after `max_attempts`, else retry it later.

        Returns True if the update is now parked.
        """
        now, i = self.now(), InboxUpdate

        def write(conn: Connection) -> bool:
            attempts = conn.execute(select(i.attempts).where(i.update_id == update_id)).scalar()
            parked = attempts is not None and attempts >= max_attempts
            values = (
                {"state": "parked", "lease_until": None}
                if parked
                else {"lease_until": now + retry_after}
            )
            conn.execute(
                update(i)
                .where(i.update_id == update_id)
                .values(error=error[:ERROR_CHARS], **values)
            )
            return parked

        return await self.db.writer.run(write)

    async def handled_before(self, update_id: int) -> bool:
        """True if the update's effects were committed (its worker died before finishing)."""
        async with self.db.sessions() as session:
            return await session.get(ProcessedUpdate, update_id) is not None

    async def parked(self, limit: int = 100) -> list[Parked]:
        """The parked updates, oldest first."""
        i = InboxUpdate
        stmt = (
            select(i.update_id, i.person, i.attempts, i.error, i.received_at)
            .where(i.state == "parked")
            .order_by(i.update_id)
            .limit(limit)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            Parked(r.update_id, r.person, r.attempts, r.error or "", r.received_at) for r in rows
        ]

    async def retry(self, update_ids: Sequence[int] | None = None) -> int:
        """Put parked updates (all, or these) back in line; returns how many."""
        i = InboxUpdate
        cond = i.state == "parked"
        if update_ids is not None:
            cond = and_(cond, i.update_id.in_(list(update_ids)))
        stmt = update(i).where(cond).values(state="pending", attempts=0, lease_until=None)
        return await self.db.writer.run(lambda conn: conn.execute(stmt).rowcount)

    async def depth(self) -> Depth:
        """Pending and parked counts, and when the oldest pending update arrived."""
        i = InboxUpdate
        stmt = select(
            func.count().filter(i.state == "pending"),
            func.count().filter(i.state == "parked"),
            func.min(i.received_at).filter(i.state == "pending"),
        )
        async with self.db.sessions() as session:
            pending, parked, oldest = (await session.execute(stmt)).one()
        return Depth(pending, parked, oldest)

    async def purge_done(self, before: dt.datetime) -> int:
        """Forget handled updates received before `before` (Telegram redelivers for a day)."""
        i = InboxUpdate
        stmt = delete(i).where(i.state == "done", i.received_at < before)
        return await self.db.writer.run(lambda conn: conn.execute(stmt).rowcount)


def _claim_statements(postgres: bool) -> tuple[Select[Any], Update]:
    """The claim's two statements, with `now`, `limit`, `ids`, `until` and `worker` bound
    at execution: each pending update whose lease (if any) ran out and whose person has
    no older pending one, oldest first, with the worker that handled that person's
    previous update; then the lease on the chosen ids."""
    i, earlier, done = InboxUpdate, aliased(InboxUpdate), aliased(InboxUpdate)
    now = bindparam("now", type_=i.lease_until.type)
    older_pending = exists().where(
        earlier.person == i.person, earlier.state == "pending", earlier.update_id < i.update_id
    )
    previous = (
        select(done.worker)
        .where(done.person == i.person, done.state == "done", done.update_id < i.update_id)
        .order_by(done.update_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    pick = (
        select(i.update_id, i.person, i.payload, i.attempts, previous.label("previous"))
        .where(i.state == "pending", or_(i.lease_until.is_(None), i.lease_until < now))
        .where(~older_pending)
        .order_by(i.update_id)
        .limit(bindparam("limit", type_=Integer))
    )
    if postgres:
        pick = pick.with_for_update(skip_locked=True, of=i)
    lease = (
        update(i)
        .where(i.update_id.in_(bindparam("ids", expanding=True)))
        .values(
            lease_until=bindparam("until", type_=i.lease_until.type),
            worker=bindparam("worker"),
            attempts=i.attempts + 1,
        )
    )
    return pick, lease
