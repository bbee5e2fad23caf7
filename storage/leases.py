"""Leases: work that runs once across processes (the background jobs' leader).

A holder takes a lease that is free or expired and renews it before it expires;
when the holder dies, another process takes it over once `until` has passed.
Each acquire is one transaction through the writer: on PostgreSQL the UPDATE's
row lock makes two contenders take turns, so only one can win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Lease
from storage.uow import Database

NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class Leases:
    """The leases table over one database; `now` is the wall clock."""

    def __init__(self, db: Database, now: Callable[[], dt.datetime]) -> None:
        """Leases in `db`."""
        self.db, self.now = db, now
        self._insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        """Take or renew lease `name` for `ttl`; True if `holder` holds it now."""
        now = self.now()

        def write(conn: Connection) -> bool:
            conn.execute(
                self._insert(Lease)
                .values(name=name, holder=holder, until=NEVER)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            won = conn.execute(
                update(Lease)
                .where(Lease.name == name, or_(Lease.holder == holder, Lease.until < now))
                .values(holder=holder, until=now + ttl)
            )
            return bool(won.rowcount)

        return await self.db.writer.run(write)

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean stop), so another takes it without waiting."""
        stmt = update(Lease).where(Lease.name == name, Lease.holder == holder).values(until=NEVER)
        await self.db.writer.run(lambda conn: conn.execute(stmt))
