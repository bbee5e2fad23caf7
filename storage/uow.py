"""The database handle and the unit of work.

One `Database` per process: the engine, the read sessions and the single
group-commit writer.  One `UnitOfWork` per Telegram update: repositories read
through its session and *stage* writes on it; `commit()` hands the staged
writes to the writer and returns once they are durable.  Repositories never
commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import make_engine, sessionmaker
from storage.statements import Statements
from storage.writer import GroupCommitWriter, Op, Prepared

T = TypeVar("T")
# An open write transaction (`run_exclusive`), as the engine holds it: it only hands
# it on to storage functions, so several of them commit together or not at all.
Transaction = Connection


class Database:
    """Engine, read sessions, prepared statements and the single writer."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        """Connect to `url` (the writer starts with `start()`)."""
        self.url = url
        self.engine: AsyncEngine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine)
        self.statements = Statements(self.engine.dialect.name)
        self.writer = GroupCommitWriter(self.engine)

    async def start(self) -> None:
        """Start the writer."""
        await self.writer.start()

    async def close(self) -> None:
        """Drain the writer and dispose of the engine."""
        await self.writer.stop()
        await self.engine.dispose()

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work."""
        return UnitOfWork(self)

    async def __aenter__(self) -> Database:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class UnitOfWork:
    """Reads through one session, collects staged writes, commits them once."""

    def __init__(self, db: Database) -> None:
        """A unit of work on `db`."""
        self.db = db
        self.statements = db.statements
        self._session: AsyncSession | None = None
        self._staged: list[Op] = []
        self._after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> AsyncSession:
        """The read session (opened on first use)."""
        if self._session is None:
            self._session = self.db.sessions()
        return self._session

    def stage(self, prepared: Prepared, **params: Any) -> None:
        """Stage one write, to be committed with the rest of this unit of work."""
        self._staged.append(Op(prepared, params))

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the staged writes are durable (e.g. refresh a cache)."""
        self._after_commit.append(callback)

    async def end_reads(self) -> None:
        """Close the read session now, keeping the staged writes: before slow work that
        reads nothing more (a chart), so no pooled connection or read snapshot waits
        with it.  A later read opens a new session."""
        await self._release_session()

    @property
    def pending(self) -> int:
        """How many writes are staged and not yet committed."""
        return len(self._staged)

    async def commit(self) -> None:
        """Make every staged write durable, then run the after-commit callbacks.

        The read session is closed first: its pooled connection (and, on SQLite,
        its read snapshot) must not be held while the writer works, or a burst of
        updates would exhaust the pool waiting on each other.
        """
        staged, self._staged = self._staged, []
        callbacks, self._after_commit = self._after_commit, []
        await self._release_session()
        await self.db.writer.write(staged)
        for callback in callbacks:
            callback()

    async def run_exclusive(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` (sync) in its own transaction through the writer (rare, ordered work)."""
        return await self.db.writer.run(fn)

    def rollback(self) -> None:
        """Forget staged writes and their callbacks."""
        self._staged.clear()
        self._after_commit.clear()

    async def close(self) -> None:
        """Close the read session; staged writes that were not committed are dropped."""
        self.rollback()
        await self._release_session()

    async def _release_session(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            # Shielded: a task cancelled while closing (a background loop at shutdown)
            # would leave its connection to the pool's garbage collector, which logs it.
            await asyncio.shield(session.close())

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
