"""One `Outbox.run()`: claims pending recipients and sends them, paced."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.clock import Clock
from bot.outbox.messages import Blocked, Failed, InDoubt, Outgoing, RateLimited, Sender
from bot.outbox.pacing import ChatSpacing, TokenBucket
from storage.outbox import (
    BLOCKED,
    FAILED,
    PENDING,
    RUNNING,
    SENDING,
    SENT,
    UNKNOWN,
    OutboxStore,
    Progress,
    QueuedJob,
    Upload,
)

log = logging.getLogger(__name__)
_START = -(2**62)  # before every chat id (groups' ids are negative)


@dataclass
class _Job:
    """A running job as the pump knows it."""

    queued: QueuedJob
    cursor: int = _START  # keyset position
    stopped: bool = False  # cancelled: claim nothing more
    in_flight: set[int] = field(default_factory=set)
    # Recipients this pump has settled: a claim read from a snapshot older than
    # their outcome must not send to them again.
    settled: set[int] = field(default_factory=set)
    last_report: float = 0.0
    upload: Upload | None = None  # the job's uploaded file, read once

    @property
    def id(self) -> int:
        """The job's id."""
        return self.queued.id


class Owner(Protocol):
    """What a pump needs of the outbox it works for (bot/outbox/queue.py: `Outbox`)."""

    clock: Clock
    store: OutboxStore
    bucket: TokenBucket  # the overall rate
    spacing: ChatSpacing  # about one message a second per chat
    concurrency: int
    drain_timeout: float
    max_attempts: int
    default_locale: str
    wakeup: asyncio.Event
    on_blocked: list[Callable[[int], None]]
    rate_limited: int  # 429s met
    sent: int  # messages delivered by this process

    async def progress(self, job_id: int) -> Progress:
        """A job's delivery counts."""
        ...

    def due_report(self, last: float, *, final: bool) -> bool:
        """Whether a watched job's progress should be shown again now."""
        ...


class Pump:
    """Claims pending recipients of every running job and sends them."""

    def __init__(self, owner: Owner, sender: Sender) -> None:
        """Work for `owner`, through `sender`."""
        self.owner, self.sender = owner, sender
        self.jobs: dict[int, _Job] = {}
        self.slots = asyncio.Semaphore(owner.concurrency)
        self.tasks: set[asyncio.Task[None]] = set()
        self.on_wire: set[asyncio.Task[None]] = set()

    async def loop(self, until_idle: bool) -> None:
        """Claim and send until cancelled (or idle)."""
        while True:
            self.owner.wakeup.clear()  # anything queued from here on is seen by the refresh
            await self._refresh_jobs()
            spawned = 0
            for job in list(self.jobs.values()):
                spawned += await self._claim(job)
            if spawned:
                continue
            if self.tasks:
                await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)
                continue
            if not await self._finish_jobs() and until_idle:
                return
            if self.jobs:  # e.g. everything is waiting out a 429
                await self._idle(0.05)
                continue
            if until_idle:
                return
            await self._idle(5.0)

    async def _idle(self, seconds: float) -> None:
        """Wait until something is queued, or `seconds` pass."""
        # asyncio.timeout, not wait_for, which on 3.11 can swallow a cancel.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.owner.wakeup.wait()

    async def _refresh_jobs(self) -> None:
        """Pick up new running jobs and drop cancelled ones."""
        running = {job.id: job for job in await self.owner.store.running()}
        for job_id in list(self.jobs):
            if job_id not in running:
                if not self.jobs[job_id].in_flight:
                    del self.jobs[job_id]
                else:
                    self.jobs[job_id].stopped = True
        for job_id, queued in running.items():
            if job_id not in self.jobs:
                self.jobs[job_id] = _Job(queued)

    async def _claim(self, job: _Job) -> int:
        """Start sends for the next pending recipients of a job (keyset order)."""
        if job.stopped:
            return 0
        rows = await self.owner.store.pending(job.id, job.cursor, max(1, self.owner.concurrency))
        if not rows:
            if job.cursor != _START:
                job.cursor = _START  # a second pass for those put back (429, 5xx)
                return await self._claim(job) if not job.in_flight else 0
            return 0
        spawned = 0
        for chat_id, locale, attempts in rows:
            job.cursor = chat_id
            if chat_id in job.in_flight or chat_id in job.settled:
                continue
            await self.slots.acquire()
            job.in_flight.add(chat_id)
            task = asyncio.create_task(self._deliver(job, chat_id, locale, attempts))
            self.tasks.add(task)
            task.add_done_callback(self._done)
            spawned += 1
        return spawned

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.on_wire.discard(task)
        self.slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox delivery failed", exc_info=task.exception())

    async def _deliver(self, job: _Job, chat_id: int, locale: str, attempts: int) -> None:
        """Wait for the chat and a slot, mark sending, call, record the outcome."""
        owner = self.owner
        try:
            async with owner.spacing.turn(chat_id):
                await owner.bucket.acquire()
                try:
                    me = asyncio.current_task()
                    assert me is not None
                    self.on_wire.add(me)  # from here on, a clean stop waits for the outcome
                    await owner.store.mark_sending(job.id, chat_id, owner.clock.now())
                    state, error = await self._call(job, chat_id, locale, attempts + 1)
                finally:
                    owner.bucket.release()
            await owner.store.record(job.id, chat_id, state, error, owner.clock.now())
            if state != PENDING:
                job.settled.add(chat_id)
                if job.queued.single:  # its one message is decided: done, claimed no more
                    job.stopped = True
                    await owner.store.close(job.id, owner.clock.now())
            if state == BLOCKED:
                for hook in owner.on_blocked:
                    hook(chat_id)
        finally:
            job.in_flight.discard(chat_id)
        await self._report(job)

    async def _call(
        self, job: _Job, chat_id: int, locale: str, attempt: int
    ) -> tuple[str, str | None]:
        """One Bot API call; the state it leaves the recipient in."""
        owner, q = self.owner, job.queued
        # Their language, else the default one, else whichever the author wrote.
        text = (
            q.texts.get(locale) or q.texts.get(owner.default_locale) or next(iter(q.texts.values()))
        )
        try:
            upload = await self._upload(job)
            message = Outgoing(text, q.media_kind, q.media_file_id, q.markup, upload)
            await self.sender.send(chat_id, message)
        except RateLimited as exc:
            owner.rate_limited += 1
            owner.bucket.pause(exc.retry_after)
            return PENDING, "429"
        except Blocked as exc:
            return BLOCKED, str(exc)[:500]
        except InDoubt as exc:
            return UNKNOWN, str(exc)[:500]
        except Failed as exc:
            if exc.transient and attempt < owner.max_attempts:
                return PENDING, str(exc)[:500]
            return FAILED, str(exc)[:500]
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug or an unexpected error: recorded, never stuck "sending"
            log.exception("outbox: a send of job %s failed", job.id)
            return FAILED, repr(exc)[:500]
        owner.sent += 1
        return SENT, None

    async def _upload(self, job: _Job) -> Upload | None:
        """The job's file to upload, if it has one (read from the database once)."""
        if job.queued.upload_id is not None and job.upload is None:
            job.upload = await self.owner.store.upload(job.queued.upload_id)
        return job.upload

    async def _report(self, job: _Job, *, final: bool = False) -> None:
        """Show a watched job's progress (at most every few seconds, and at its end)."""
        if not job.queued.watched or not self.owner.due_report(job.last_report, final=final):
            return
        job.last_report = time.monotonic()
        try:
            await self.sender.show_progress(await self.owner.progress(job.id))
        except Exception:  # a failed status edit must not stop the broadcast
            log.exception("outbox: progress report failed for job %s", job.id)

    async def _finish_jobs(self) -> bool:
        """Close jobs with nothing pending and nothing in flight; True if any job is left."""
        for job in list(self.jobs.values()):
            if job.in_flight:
                continue
            progress = await self.owner.progress(job.id)
            if progress.status == RUNNING and progress.count(PENDING) + progress.count(SENDING):
                continue
            if progress.status == RUNNING:
                await self.owner.store.close(job.id, self.owner.clock.now())
            del self.jobs[job.id]
            await self._report(job, final=True)
        return bool(self.jobs)

    async def drain(self) -> None:
        """A clean stop: let calls on the wire finish and be recorded; forget the rest.

        Every task is awaited, not only those on the wire when the stop came: a task
        cancelled on its way to the wire ends at once, and one whose cancel was lost
        (it had just been given its slot) must be recorded before the stop returns,
        or a resumed outbox would find its row ``sending`` and call it in doubt.
        """
        for task in self.tasks - self.on_wire:
            task.cancel()
        if self.tasks:
            _, late = await asyncio.wait(set(self.tasks), timeout=self.owner.drain_timeout)
            for task in late:
                task.cancel()

    def crash(self) -> None:
        """Abandon everything at once, as a killed process would (tests and benchmarks)."""
        for task in self.tasks:
            task.cancel()
