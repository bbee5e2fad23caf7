"""The broadcaster: the one path for every bulk message (notices, reminders, broadcasts).

A job and its recipients live in the database; each recipient moves

    pending ──► sending ──► sent | blocked (403: respondent marked inactive)
       ▲           │               | failed (other errors, after MAX_ATTEMPTS)
       └───────────┘ 429 (nothing was delivered: tried again after retry_after)
                     5xx (tried again, up to MAX_ATTEMPTS)

Pacing: one token bucket for the whole process (`rate` messages a second,
burst 1, so no second ever carries more than `rate`), and at most one message
a second to any one chat.  A 429 pauses *all* sending for its retry_after.

Exactly once, and where it cannot be: ``sending`` is committed before the Bot
API call, and the outcome after it.  Telegram has no idempotency key, so a
process that dies between the call and the commit cannot know whether the
message went out.  The choice made here is **at most once**: a row found in
``sending`` at start-up becomes ``unknown`` and is not sent again — a notice
repeated to a whole city is the worse failure, and the report shows how many
are unknown.  The window is small: a row is marked ``sending`` only once its
send slot is reserved, so at most `concurrency` rows can be caught in it.
A *cancellation* (the bot stopping, an admin's cancel, a restart in place) is
not a crash: calls already on the wire are awaited (up to `drain_timeout`)
and recorded, and rows not yet on the wire go back to ``pending``, so a
cancelled-and-resumed job loses and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Connection, bindparam, func, insert, select, update

from bot.admin.audience import Audience, recipients
from bot.core.clock import Clock
from storage.models import BroadcastJob, BroadcastRecipient, Respondent
from storage.uow import Database
from storage.writer import Op, Prepared

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages a second, under Telegram's ~30
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
CATCH_UP = 0.1  # seconds of pacing lag the bucket may make up after a stall
MAX_ATTEMPTS = 3  # 5xx and other transient errors
RUNNING, DONE, CANCELLED, DRAFT = "running", "done", "cancelled", "draft"
PENDING, SENDING, SENT, BLOCKED, FAILED, UNKNOWN = (
    "pending",
    "sending",
    "sent",
    "blocked",
    "failed",
    "unknown",
)
FINAL_STATES = (SENT, BLOCKED, FAILED, UNKNOWN)

# -- what the adapter's sender raises ---------------------------------------------------


class SendError(Exception):
    """A message was not delivered."""


class RateLimited(SendError):
    """429: nothing was delivered; every send must wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        """Telegram's retry_after, in seconds."""
        super().__init__(f"retry after {retry_after}")
        self.retry_after = retry_after


class Blocked(SendError):
    """403: the person blocked the bot (or deleted their account)."""


class Failed(SendError):
    """Any other refusal; `transient` ones (5xx) are tried again."""

    def __init__(self, description: str, *, transient: bool) -> None:
        """Telegram's description of the error."""
        super().__init__(description)
        self.transient = transient


class InDoubt(SendError):
    """The call may or may not have been delivered (a timeout on the wire)."""


@dataclass(frozen=True)
class Outgoing:
    """One message: HTML text (or caption) and an optional photo or document."""

    text: str
    media_kind: str | None = None  # photo | document
    media_file_id: str | None = None


class Sender(Protocol):
    """Delivers one message to one chat, raising the errors above."""

    async def send(self, chat_id: int, message: Outgoing) -> None:
        """Send `message` to `chat_id`."""
        ...


# -- pacing ----------------------------------------------------------------------------


class TokenBucket:
    """At most `rate` sends in any sliding second, evenly spaced, pausable by a 429.

    Evenly spaced slots alone (a bucket of burst 1) are not enough: a send's
    latency varies, so slots taken 1/rate apart can arrive bunched, and the
    server counts arrivals.  So a send also counts as "in the last second" from
    the moment it takes its slot until one second after its answer came back;
    whatever the latency, no sliding second at the server can hold more than
    `rate` of them.  The price is the latency itself (a few ms in a second).
    """

    def __init__(self, rate: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Slots `1/rate` seconds apart; at most `rate` per sliding second (1 per 1/rate s)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self.window = max(1.0, self.interval)
        self.capacity = max(1, int(rate * self.window + 1e-9))
        self._monotonic = monotonic
        self._next = 0.0
        self._ends: deque[float] = deque()
        self._open = 0  # slots taken whose answer has not come back
        self._gate = asyncio.Lock()
        self._released = asyncio.Event()
        self.paused_until = 0.0
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Stop every send for `seconds` (a 429's retry_after)."""
        until = self._monotonic() + seconds
        if until > self.paused_until:
            self.paused_until = until
            self.pauses += 1

    def hold(self, seconds: float) -> None:
        """Take no slot for `seconds` (without counting it as a 429 pause)."""
        self._next = max(self._next, self._monotonic() + seconds)

    async def acquire(self) -> None:
        """Wait for a slot; call `release()` once the send's answer is back."""
        async with self._gate:
            while True:
                now = self._monotonic()
                wait = self._wait(now)
                if wait is None:
                    break
                self._released.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), wait)
            # Catch up at most CATCH_UP seconds of lag, so a stall never becomes a burst.
            self._next = max(self._next, now - CATCH_UP) + self.interval
            self._open += 1

    def _wait(self, now: float) -> float | None:
        """How long to wait before the next slot (None: take it now)."""
        if now < self.paused_until:
            return self.paused_until - now
        if now < self._next:
            return self._next - now
        while self._ends and self._ends[0] <= now - self.window:
            self._ends.popleft()
        if len(self._ends) + self._open >= self.capacity:
            return self._ends[0] + self.window - now if self._ends else self.window
        return None

    def release(self) -> None:
        """The answer to a send came back (whatever it was)."""
        self._open -= 1
        self._ends.append(self._monotonic())
        self._released.set()


class ChatSpacing:
    """At most one message per `interval` seconds to one chat (two jobs may share a chat)."""

    def __init__(self, interval: float = PER_CHAT_INTERVAL) -> None:
        """Remember when each chat last got a message (pruned as it grows)."""
        self.interval = interval
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat: wait until its interval has passed; the block sends one message."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                last = self._last.get(chat_id)
                if last is not None:
                    wait = self.interval - (time.monotonic() - last)
                    if wait > 0:
                        await asyncio.sleep(wait)
                try:
                    yield
                finally:
                    self._last[chat_id] = time.monotonic()
        finally:
            if not lock.locked() and self._locks.get(chat_id) is lock:
                del self._locks[chat_id]
            if len(self._last) > 50_000:
                self._prune()

    def _prune(self) -> None:
        now = time.monotonic()
        self._last = {c: t for c, t in self._last.items() if now - t < self.interval}


# -- prepared writes (batched by the group-commit writer) --------------------------------

_R = BroadcastRecipient
_RANK = 50  # after any respondent upsert staged in the same batch
_MARK = Prepared(
    update(_R)
    .where(_R.job_id == bindparam("j"), _R.user_id == bindparam("u"), _R.state == PENDING)
    .values(state=SENDING, attempts=_R.attempts + 1, updated_at=bindparam("now")),
    _RANK,
    "broadcast_mark_sending",
)
_OUTCOME = Prepared(
    update(_R)
    .where(_R.job_id == bindparam("j"), _R.user_id == bindparam("u"), _R.state == SENDING)
    .values(state=bindparam("state"), error=bindparam("error"), updated_at=bindparam("now")),
    _RANK,
    "broadcast_outcome",
)
_INACTIVE = Prepared(
    update(Respondent).where(Respondent.id == bindparam("u")).values(active=False),
    _RANK + 1,
    "respondent_inactive",
)


@dataclass
class Progress:
    """Counts of one job's recipients by state."""

    job_id: int
    status: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    kind: str = "broadcast"
    created_by: int | None = None
    status_chat_id: int | None = None
    status_message_id: int | None = None

    @property
    def done(self) -> int:
        """Recipients whose delivery is decided."""
        return sum(self.counts.get(s, 0) for s in FINAL_STATES)

    def count(self, state: str) -> int:
        """How many recipients are in `state`."""
        return self.counts.get(state, 0)


ProgressHook = Callable[[Progress], Awaitable[None]]


@dataclass
class _Job:
    """A running job as the pump knows it."""

    id: int
    texts: dict[str, str]
    media_kind: str | None
    media_file_id: str | None
    cursor: int = 0
    in_flight: set[int] = field(default_factory=set)
    # Recipients this pump has settled: a claim read from a snapshot older than
    # their outcome must not send to them again.
    settled: set[int] = field(default_factory=set)
    last_report: float = 0.0


class Broadcaster:
    """Sends every running job's messages, paced, resumable, one process-wide instance."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        rate: float = DEFAULT_RATE,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        concurrency: int | None = None,
        default_locale: str = "zh-Hans",
        max_attempts: int = MAX_ATTEMPTS,
        drain_timeout: float = 30.0,
        progress_every: float = 3.0,
    ) -> None:
        """Nothing is sent until `run()` is given a sender."""
        self.db, self.clock = db, clock
        self.bucket = TokenBucket(rate)
        self.spacing = ChatSpacing(per_chat_interval)
        # Enough calls in flight to keep the rate with ~0.5 s latency, and few
        # enough that a crash leaves little in doubt.
        self.concurrency = concurrency or max(4, min(256, int(rate / 2) + 1))
        self.default_locale = default_locale
        self.max_attempts = max_attempts
        self.drain_timeout = drain_timeout
        self.progress_every = progress_every
        self.on_progress: list[ProgressHook] = []
        self.on_blocked: list[Callable[[int], None]] = []
        self._wake = asyncio.Event()
        self.rate_limited = 0  # 429s met
        self.sent = 0  # messages delivered by this process
        # Tests and benchmarks only: make a cancellation behave like a killed process.
        self.crash_on_cancel = False

    # -- jobs ----------------------------------------------------------------------------

    async def create(
        self,
        audience: Audience,
        texts: dict[str, str],
        *,
        kind: str = "broadcast",
        actor: int | None = None,
        media_kind: str | None = None,
        media_file_id: str | None = None,
        status_chat: tuple[int, int] | None = None,
        choose: Callable[[Connection], list[tuple[int, str]]] | None = None,
        extra: Callable[[Connection, int, list[tuple[int, str]]], None] | None = None,
        skip_empty: bool = False,
    ) -> Progress | None:
        """Start a job for `audience` (or whom `choose` picks); returns its first progress.

        The job row and every recipient row are written in one transaction, with
        whatever `extra` writes (e.g. the reminder marks), so a restart finds
        either all of it or none.  With `skip_empty`, no job is made for nobody
        (and None is returned).
        """
        if self.default_locale not in texts:
            raise ValueError(f"a broadcast needs its {self.default_locale} text")
        now = self.clock.now()

        def write(conn: Connection) -> int | None:
            chosen = choose(conn) if choose is not None else recipients(conn, audience)
            if skip_empty and not chosen:
                return None
            job_id = int(
                conn.execute(
                    insert(BroadcastJob)
                    .values(
                        kind=kind,
                        status=RUNNING,
                        created_by=actor,
                        created_at=now,
                        started_at=now,
                        audience=audience.to_json(),
                        texts=texts,
                        media_kind=media_kind,
                        media_file_id=media_file_id,
                        status_chat_id=status_chat[0] if status_chat else None,
                        status_message_id=status_chat[1] if status_chat else None,
                        total=len(chosen),
                    )
                    .returning(BroadcastJob.id)
                ).scalar_one()
            )
            _insert_recipients(conn, job_id, chosen)
            if extra is not None:
                extra(conn, job_id, chosen)
            return job_id

        job_id = await self.db.writer.run(write)
        if job_id is None:
            return None
        self._wake.set()
        return await self.progress(job_id)

    async def start_draft(
        self, draft_id: int, audience: Audience, status_chat: tuple[int, int] | None = None
    ) -> Progress:
        """Turn a composed draft into a running job for `audience`."""
        now = self.clock.now()

        def write(conn: Connection) -> None:
            chosen = recipients(conn, audience)
            started = conn.execute(
                update(BroadcastJob)
                .where(BroadcastJob.id == draft_id, BroadcastJob.status == DRAFT)
                .values(
                    status=RUNNING,
                    started_at=now,
                    audience=audience.to_json(),
                    total=len(chosen),
                    compose_step=None,
                    status_chat_id=status_chat[0] if status_chat else None,
                    status_message_id=status_chat[1] if status_chat else None,
                )
            )
            if started.rowcount:  # a second tap on "send" finds it running: nothing more
                _insert_recipients(conn, draft_id, chosen)

        await self.db.writer.run(write)
        self._wake.set()
        return await self.progress(draft_id)

    async def cancel(self, job_id: int) -> bool:
        """Stop a running job: recipients not yet sent to are left pending. False if not running."""
        now = self.clock.now()

        def write(conn: Connection) -> bool:
            done = conn.execute(
                update(BroadcastJob)
                .where(BroadcastJob.id == job_id, BroadcastJob.status.in_((RUNNING, DRAFT)))
                .values(status=CANCELLED, finished_at=now)
            )
            return bool(done.rowcount)

        return await self.db.writer.run(write)

    async def progress(self, job_id: int) -> Progress:
        """Counts of a job's recipients by state."""
        async with self.db.unit_of_work() as uow:
            job = await uow.session.get(BroadcastJob, job_id)
            if job is None:
                raise KeyError(job_id)
            rows = await uow.session.execute(
                select(_R.state, func.count()).where(_R.job_id == job_id).group_by(_R.state)
            )
            counts = {str(state): int(n) for state, n in rows}
            return Progress(
                job.id,
                job.status,
                job.total,
                counts,
                job.kind,
                job.created_by,
                job.status_chat_id,
                job.status_message_id,
            )

    async def jobs(self, limit: int = 20) -> list[Progress]:
        """The latest jobs (drafts excluded), newest first."""
        async with self.db.unit_of_work() as uow:
            ids = list(
                (
                    await uow.session.execute(
                        select(BroadcastJob.id)
                        .where(BroadcastJob.status != DRAFT)
                        .order_by(BroadcastJob.id.desc())
                        .limit(limit)
                    )
                ).scalars()
            )
        return [await self.progress(i) for i in ids]

    # -- running -------------------------------------------------------------------------

    async def recover(self) -> int:
        """At start-up: rows left ``sending`` by a dead process become ``unknown``."""
        now = self.clock.now()

        def write(conn: Connection) -> int:
            result = conn.execute(
                update(_R)
                .where(_R.state == SENDING)
                .values(
                    state=UNKNOWN,
                    error="in doubt: the process stopped during the call",
                    updated_at=now,
                )
            )
            return int(result.rowcount or 0)

        found = await self.db.writer.run(write)
        if found:
            log.warning("broadcast: %d message(s) in doubt after a crash, not resent", found)
        return found

    async def run(self, sender: Sender, *, until_idle: bool = False) -> None:
        """Send every running job's messages; forever, or until none is left (`until_idle`).

        Cancelling it is a clean stop: calls on the wire finish and are recorded.
        """
        await self.recover()
        # A process that just died may have filled the server's last second: wait it out.
        self.bucket.hold(self.bucket.window)
        pump = _Pump(self, sender)
        try:
            await pump.loop(until_idle)
        except asyncio.CancelledError:
            if self.crash_on_cancel:
                pump.crash()
            else:
                await pump.drain()
            raise

    def wake(self) -> None:
        """A job was created elsewhere: look for work now."""
        self._wake.set()

    async def _report(self, job: _Job, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.on_progress or (not final and now - job.last_report < self.progress_every):
            return
        job.last_report = now
        progress = await self.progress(job.id)
        for hook in self.on_progress:
            try:
                await hook(progress)
            except Exception:  # a failed status edit must not stop the broadcast
                log.exception("broadcast progress hook failed for job %s", job.id)


def _insert_recipients(conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
    """Every recipient of a job, pending."""
    for start in range(0, len(chosen), 5000):
        conn.execute(
            insert(BroadcastRecipient),
            [
                {"job_id": job_id, "user_id": uid, "locale": loc, "state": PENDING, "attempts": 0}
                for uid, loc in chosen[start : start + 5000]
            ],
        )


class _Pump:
    """One `run()`: claims pending recipients and sends them, paced."""

    def __init__(self, owner: Broadcaster, sender: Sender) -> None:
        """Work for `owner`, through `sender`."""
        self.b, self.sender = owner, sender
        self.jobs: dict[int, _Job] = {}
        self.slots = asyncio.Semaphore(owner.concurrency)
        self.tasks: set[asyncio.Task[None]] = set()
        self.on_wire: set[asyncio.Task[None]] = set()

    async def loop(self, until_idle: bool) -> None:
        """Claim and send until cancelled (or idle)."""
        while True:
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
            if self.jobs:
                await asyncio.sleep(0.05)  # e.g. everything is waiting out a 429
                continue
            if not self.jobs:
                self.b._wake.clear()
                if until_idle:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.b._wake.wait(), 5.0)

    async def _refresh_jobs(self) -> None:
        """Pick up new running jobs and drop cancelled ones."""
        async with self.b.db.unit_of_work() as uow:
            rows = (
                await uow.session.execute(
                    select(BroadcastJob).where(BroadcastJob.status == RUNNING)
                )
            ).scalars()
            running = {job.id: job for job in rows}
        for job_id in list(self.jobs):
            if job_id not in running and not self.jobs[job_id].in_flight:
                del self.jobs[job_id]
        for job_id, row in running.items():
            if job_id not in self.jobs:
                self.jobs[job_id] = _Job(job_id, dict(row.texts), row.media_kind, row.media_file_id)
        for job_id in list(self.jobs):
            if job_id not in running:
                self.jobs[job_id].cursor = -1  # cancelled: claim nothing more

    async def _claim(self, job: _Job) -> int:
        """Start sends for the next pending recipients of a job (keyset order)."""
        if job.cursor < 0:
            return 0
        batch = max(1, self.b.concurrency)
        async with self.b.db.unit_of_work() as uow:
            rows = (
                await uow.session.execute(
                    select(_R.user_id, _R.locale, _R.attempts)
                    .where(_R.job_id == job.id, _R.state == PENDING, _R.user_id > job.cursor)
                    .order_by(_R.user_id)
                    .limit(batch)
                )
            ).all()
        if not rows:
            if job.cursor > 0:
                job.cursor = 0  # a second pass for those put back (429, 5xx)
                return await self._claim(job) if not job.in_flight else 0
            return 0
        spawned = 0
        for user_id, locale, attempts in rows:
            job.cursor = int(user_id)
            if user_id in job.in_flight or user_id in job.settled:
                continue
            await self.slots.acquire()
            job.in_flight.add(int(user_id))
            task = asyncio.create_task(self._deliver(job, int(user_id), str(locale), int(attempts)))
            self.tasks.add(task)
            task.add_done_callback(self._done)
            spawned += 1
        return spawned

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.on_wire.discard(task)
        self.slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("broadcast delivery failed", exc_info=task.exception())

    async def _deliver(self, job: _Job, user_id: int, locale: str, attempts: int) -> None:
        """Wait for the chat and a slot, mark sending, call, record the outcome."""
        b = self.b
        try:
            async with b.spacing.turn(user_id):
                await b.bucket.acquire()
                try:
                    me = asyncio.current_task()
                    assert me is not None
                    self.on_wire.add(me)  # from here on, a clean stop waits for the outcome
                    now = b.clock.now()
                    await b.db.writer.write([Op(_MARK, {"j": job.id, "u": user_id, "now": now})])
                    state, error = await self._call(job, user_id, locale, attempts + 1)
                finally:
                    b.bucket.release()
            ops = [
                Op(
                    _OUTCOME,
                    {
                        "j": job.id,
                        "u": user_id,
                        "state": state,
                        "error": error,
                        "now": b.clock.now(),
                    },
                )
            ]
            if state == BLOCKED:
                ops.append(Op(_INACTIVE, {"u": user_id}))
            await b.db.writer.write(ops)
            if state != PENDING:
                job.settled.add(user_id)
            if state == BLOCKED:
                for hook in b.on_blocked:
                    hook(user_id)
        finally:
            job.in_flight.discard(user_id)
        await b._report(job)

    async def _call(
        self, job: _Job, user_id: int, locale: str, attempt: int
    ) -> tuple[str, str | None]:
        """One Bot API call; the state it leaves the recipient in."""
        b = self.b
        # Their language, else the default one, else whichever the admin wrote.
        text = (
            job.texts.get(locale)
            or job.texts.get(b.default_locale)
            or next(iter(job.texts.values()), "")
        )
        try:
            await self.sender.send(user_id, Outgoing(text, job.media_kind, job.media_file_id))
        except RateLimited as exc:
            b.rate_limited += 1
            b.bucket.pause(exc.retry_after)
            return PENDING, "429"
        except Blocked as exc:
            return BLOCKED, str(exc)[:500]
        except InDoubt as exc:
            return UNKNOWN, str(exc)[:500]
        except Failed as exc:
            if exc.transient and attempt < b.max_attempts:
                return PENDING, str(exc)[:500]
            return FAILED, str(exc)[:500]
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug or an unexpected error: recorded, never stuck "sending"
            log.exception("broadcast to %s failed", user_id)
            return FAILED, repr(exc)[:500]
        b.sent += 1
        return SENT, None

    async def _finish_jobs(self) -> bool:
        """Close jobs with nothing pending and nothing in flight; True if any job is left."""
        for job in list(self.jobs.values()):
            if job.in_flight:
                continue
            progress = await self.b.progress(job.id)
            if progress.status == RUNNING and progress.count(PENDING) + progress.count(SENDING):
                continue
            if progress.status == RUNNING:
                await self._close(job.id)
            del self.jobs[job.id]
            await self.b._report(job, final=True)
        return bool(self.jobs)

    async def _close(self, job_id: int) -> None:
        now = self.b.clock.now()
        await self.b.db.writer.run(
            lambda conn: conn.execute(
                update(BroadcastJob)
                .where(BroadcastJob.id == job_id, BroadcastJob.status == RUNNING)
                .values(status=DONE, finished_at=now)
            )
        )

    async def drain(self) -> None:
        """A clean stop: let calls on the wire finish and be recorded; forget the rest."""
        for task in self.tasks - self.on_wire:
            task.cancel()
        wire = set(self.on_wire)
        if wire:
            _, late = await asyncio.wait(wire, timeout=self.b.drain_timeout)
            for task in late:
                task.cancel()

    def crash(self) -> None:
        """Abandon everything at once, as a killed process would (tests and benchmarks)."""
        for task in self.tasks:
            task.cancel()
