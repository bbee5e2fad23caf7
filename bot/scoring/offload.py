"""CPU-bound work — drawing a chart, writing a workbook — run off the event loop.

A chart takes a few hundred milliseconds of pure computation (over a second on a
loaded machine); run inside a handler it would stall every citizen's reply for
that long.  A worker *thread* is not enough: the drawing is Python code holding
the GIL, and the event loop, the database threads and the writer then wait for it
at every hand-over (bench/survey_throughput.py measured the citizens' p99 going
from tens to hundreds of milliseconds).  So the work goes to one worker *process*,
at the lowest scheduling priority: it uses at most one core, only what the bot
leaves, and the bot's process never waits for it.

The worker is started by a fork server (forking the bot itself, with its database
threads, is unsafe), in the background when the scorer starts (so the first chart
does not pay for it while citizens are being served), and started again if it
dies.  When the worker cannot be had (it died on this job, or cannot start: a
program embedding the bot without the `if __name__ == "__main__"` guard makes
every worker die at start), the job runs in a thread instead: slower for the
others meanwhile, but the person who asked gets their chart or workbook.

What is sent to the worker must be importable top-level functions whose arguments and
results pickle; they are thread-safe as well (see bot/scoring/chart.py).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

NICENESS = 19  # the worker's priority: citizens' replies come first, a report may wait
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()  # the pool is made from worker threads


def _worker() -> ProcessPoolExecutor:
    """The pool of one worker process (its process starts with the first job)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_prepare,
            )
        return _pool


def _prepare() -> None:
    """In the worker: step back for the bot; import the heavy modules before any job."""
    os.nice(NICENESS)
    import bot.bulletin.chart
    import bot.scoring.chart
    import bot.scoring.export  # noqa: F401


def _ready() -> bool:
    """A job that does nothing: running it means the worker is up."""
    return True


def _submit(job: Callable[[], T]) -> Future[T]:
    """Hand `job` to the worker (starting it first if needed: a blocking call)."""
    return _worker().submit(job)


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in the worker process; the event loop serves others meanwhile."""
    # Submitting may start the worker, which waits for the fork server to start and
    # fork (a second or so): it is done in a thread, never on the loop.
    work = partial(fn, *args, **kwargs)
    try:
        return await asyncio.wrap_future(await asyncio.to_thread(_submit, work))
    except BrokenProcessPool:
        _forget_broken()  # the worker died (killed, cannot start): the next call starts another
        log.warning("the report worker is not available; %s runs in a thread", fn.__name__)
        return await asyncio.to_thread(work)


def _forget_broken() -> None:
    """Drop a pool whose worker died."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def start() -> None:
    """Start the worker in the background (a thread waits for it; nobody else does)."""

    def warm() -> None:
        try:
            _submit(_ready).result()
        except Exception:  # the first real job reports what is wrong, to whoever asked
            log.exception("the report worker did not start")

    threading.Thread(target=warm, name="report-worker-start", daemon=True).start()


def shutdown() -> None:
    """Stop the worker process and wait for it (it starts again when next needed)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
