"""The single writer: group commit for many small units of work.

Committing each Telegram update in its own SQLAlchemy transaction managed only a
few hundred transactions a second on aiosqlite.  Instead every unit of work
hands its staged writes to this one writer, which takes whatever has queued up
meanwhile, executes it as one transaction — each prepared statement once, with
all its parameter sets (executemany) — commits, and only then tells each unit of
work that its writes are durable.  Under load the batches grow by themselves;
when idle a batch is a single unit of work and latency stays low.

Where a batch runs matters as much: on a busy event loop every `await` inside
the writer waits behind all the ready handler tasks, so a batch of a handful of
awaits could take hundreds of milliseconds.  For SQLite the writer therefore
runs each whole batch in a thread of its own, on its own connection, and comes
back to the event loop once per batch.  For PostgreSQL it keeps one dedicated
async connection.

Rules for what may be batched (`Op`):
- ops are executed grouped by statement, in the order of the statements'
  `rank` (parents before children, so foreign keys hold);
- the ops of one unit of work therefore must not depend on their own order
  beyond that ranking, and must not need generated ids: keys are known up front.

If a batch fails, it is rolled back and each unit of work is retried alone, so
one bad unit of work (e.g. a constraint violation) fails by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, create_engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from storage.db import add_sqlite_pragmas

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Prepared:
    """A statement built once, executed many times with bound parameters."""

    stmt: Executable
    rank: int  # lower ranks run first within a batch (parents before children)
    name: str = ""


@dataclass(frozen=True)
class Op:
    """One staged write: a prepared statement and its parameters."""

    prepared: Prepared
    params: Mapping[str, Any]


def _new_future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class _Job:
    ops: Sequence[Op] = ()
    exclusive: Callable[[Connection], Any] | None = None
    done: asyncio.Future[Any] = field(default_factory=_new_future)


class WriterStopped(RuntimeError):
    """The writer was stopped before this write was committed."""


class _Backend(Protocol):
    """Runs a function in one transaction on the writer's own connection."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def transaction(self, fn: Callable[[Connection], T]) -> T: ...


class _ThreadBackend:
    """SQLite: a sqlite3 connection used only by one dedicated thread."""

    def __init__(self, engine: AsyncEngine) -> None:
        url = engine.url.set(drivername="sqlite")
        self._engine = create_engine(url)
        add_sqlite_pragmas(self._engine)
        self._thread: ThreadPoolExecutor | None = None
        self._conn: Connection | None = None

    async def open(self) -> None:
        # A fresh thread per start, so a stopped writer can be started again.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._conn = await self._call(self._engine.connect)

    async def close(self) -> None:
        if self._thread is None:
            return
        if self._conn is not None:
            await self._call(self._conn.close)
            self._conn = None
        await self._call(self._engine.dispose)
        self._thread.shutdown(wait=True)
        self._thread = None

    async def transaction(self, fn: Callable[[Connection], T]) -> T:
        return await self._call(lambda: self._in_transaction(fn))

    def _in_transaction(self, fn: Callable[[Connection], T]) -> T:
        assert self._conn is not None
        with self._conn.begin():
            return fn(self._conn)

    async def _call(self, fn: Callable[[], T]) -> T:
        assert self._thread is not None, "writer not started"
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn)


class _AsyncBackend:
    """PostgreSQL (or any async driver): one dedicated async connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def open(self) -> None:
        self._conn = await self._engine.connect()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def transaction(self, fn: Callable[[Connection], T]) -> T:
        assert self._conn is not None
        async with self._conn.begin():
            return await self._conn.run_sync(fn)


class GroupCommitWriter:
    """Commits the writes of many units of work together, one transaction at a time."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 1000) -> None:
        """Write to `engine`'s database, at most `max_batch` units of work a transaction."""
        sqlite = engine.dialect.name == "sqlite"
        self._backend: _Backend = _ThreadBackend(engine) if sqlite else _AsyncBackend(engine)
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.batches = 0  # transactions committed
        self.jobs = 0  # units of work committed
        # Told the number of units of work in each committed transaction (metrics).
        self.on_batch: Callable[[int], None] | None = None

    async def start(self) -> None:
        """Open the writer's connection and start its task."""
        if self._task is None:
            await self._backend.open()
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="group-commit-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop and close the connection."""
        if self._task is None:
            return
        self._stopping = True  # from now on new writes are refused, not lost
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        self._fail_leftovers()
        await self._backend.close()

    def _fail_leftovers(self) -> None:
        """Fail jobs that slipped into the queue while the task was being cancelled."""
        while not self._queue.empty():
            job = self._queue.get_nowait()
            self._queue.task_done()
            if not job.done.done():
                job.done.set_exception(WriterStopped("the database writer stopped"))

    async def write(self, ops: Sequence[Op]) -> None:
        """Queue `ops` and return once they are committed (or raise their error)."""
        if ops:
            await self._submit(_Job(ops=ops))

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` (sync, given a Connection) alone in its own transaction, in writer order."""
        result: T = await self._submit(_Job(exclusive=fn))
        return result

    async def _submit(self, job: _Job) -> Any:
        if self._stopping or self._task is None or self._task.done():
            raise WriterStopped("the database writer is not running")
        await self._queue.put(job)
        return await job.done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit_batch(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit_batch(self, batch: list[_Job]) -> None:
        plain = [job for job in batch if job.exclusive is None]
        if len(plain) == 1:
            await self._commit_alone(plain[0])
        elif plain:
            await self._commit_together(plain)
        for job in batch:
            if job.exclusive is not None:
                await self._commit_alone(job)

    async def _commit_together(self, jobs: list[_Job]) -> None:
        ops = [op for job in jobs for op in job.ops]
        try:
            await self._backend.transaction(lambda conn: execute_grouped(conn, ops))
        except Exception:
            log.warning("batch of %d failed; retrying each alone", len(jobs), exc_info=True)
            for job in jobs:
                await self._commit_alone(job)
            return
        self.batches += 1
        self.jobs += len(jobs)
        self._observe(len(jobs))
        for job in jobs:
            _resolve(job, None)

    def _observe(self, size: int) -> None:
        """Report a committed batch's size (a failing observer never fails a write)."""
        if self.on_batch is not None:
            with contextlib.suppress(Exception):
                self.on_batch(size)

    async def _commit_alone(self, job: _Job) -> None:
        exclusive, ops = job.exclusive, job.ops
        try:
            if exclusive is not None:
                result = await self._backend.transaction(exclusive)
            else:
                result = await self._backend.transaction(lambda conn: execute_grouped(conn, ops))
        except Exception as exc:
            if not job.done.done():
                job.done.set_exception(exc)
            return
        self.batches += 1
        self.jobs += 1
        self._observe(1)
        _resolve(job, result)


def _resolve(job: _Job, result: Any) -> None:
    if not job.done.done():  # the waiter may have been cancelled meanwhile
        job.done.set_result(result)


def execute_grouped(conn: Connection, ops: Sequence[Op]) -> None:
    """Execute `ops`: one executemany per statement, statements in rank order."""
    groups: dict[int, tuple[Prepared, list[Mapping[str, Any]]]] = {}
    for op in ops:
        groups.setdefault(id(op.prepared), (op.prepared, []))[1].append(op.params)
    for prepared, params in sorted(groups.values(), key=lambda g: g[0].rank):
        if len(params) == 1:
            conn.execute(prepared.stmt, dict(params[0]))
        else:
            conn.execute(prepared.stmt, [dict(p) for p in params])
