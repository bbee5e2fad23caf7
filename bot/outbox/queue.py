"""The outbox: the one path for every message that is not the reply to an update.

Broadcasts, phase notices and questionnaire reminders are bulk jobs; complaint
cards, files, reminders and escalations are single deliveries (a job of one
recipient, rendered in their language when queued).  A job and its recipients
live in the database; each recipient moves

    pending ──► sending ──► sent | blocked (403: respondent marked inactive)
       ▲           │               | failed (other errors, after max_attempts)
       └───────────┘ 429 (nothing was delivered: tried again after retry_after)
                     5xx (tried again, up to max_attempts)

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
import logging
import time
from collections.abc import Callable, Sequence

from bot.core.clock import Clock
from bot.outbox.messages import Sender
from bot.outbox.pacing import PER_CHAT_INTERVAL, ChatSpacing, TokenBucket
from bot.outbox.pump import Pump
from storage.admin import Audience, ByAudience
from storage.outbox import OutboxStore, Progress, Selection, Single
from storage.uow import Database

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages a second, under Telegram's ~30
MAX_ATTEMPTS = 3  # 5xx and other transient errors


class Outbox:
    """Sends every running job's messages, paced, resumable; one per process."""

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
        self.store = OutboxStore(db)
        self.bucket = TokenBucket(rate)
        self.spacing = ChatSpacing(per_chat_interval)
        # Enough calls in flight to keep the rate with ~0.5 s latency, and few
        # enough that a crash leaves little in doubt.
        self.concurrency = concurrency or max(4, min(256, int(rate / 2) + 1))
        self.default_locale = default_locale
        self.max_attempts = max_attempts
        self.drain_timeout = drain_timeout
        self.progress_every = progress_every
        self.on_blocked: list[Callable[[int], None]] = []
        self.wakeup = asyncio.Event()
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
        selection: Selection | None = None,
        skip_empty: bool = False,
    ) -> Progress | None:
        """Start a job for `audience` (or whom `selection` picks); returns its first progress.

        The job row and every recipient row are written in one transaction, with
        whatever the selection marks (e.g. the reminder marks), so a restart finds
        either all of it or none.  With `skip_empty`, no job is made for nobody
        (and None is returned).
        """
        if self.default_locale not in texts:
            raise ValueError(f"a broadcast needs its {self.default_locale} text")
        job_id = await self.store.create(
            selection or ByAudience(audience),
            texts,
            kind=kind,
            now=self.clock.now(),
            audience=audience.to_json(),
            actor=actor,
            media=(media_kind, media_file_id),
            status_chat=status_chat,
            skip_empty=skip_empty,
        )
        if job_id is None:
            return None
        self.wake()
        return await self.progress(job_id)

    async def enqueue(self, messages: Sequence[Single]) -> list[int]:
        """Queue single deliveries (in order, one transaction) and wake the sender."""
        if not messages:
            return []
        ids = await self.store.enqueue(messages, self.clock.now())
        self.wake()
        return ids

    async def start_draft(
        self, draft_id: int, audience: Audience, status_chat: tuple[int, int] | None = None
    ) -> Progress:
        """Turn a composed draft into a running job for `audience`."""
        await self.store.start_draft(
            draft_id, ByAudience(audience), audience.to_json(), status_chat, self.clock.now()
        )
        self.wake()
        return await self.progress(draft_id)

    async def cancel(self, job_id: int) -> bool:
        """Stop a running job: recipients not yet sent to are left pending. False if not running."""
        return await self.store.cancel(job_id, self.clock.now())

    async def progress(self, job_id: int) -> Progress:
        """Counts of a job's recipients by state."""
        return await self.store.progress(job_id)

    async def jobs(self, limit: int = 20) -> list[Progress]:
        """The latest bulk jobs (drafts and single deliveries excluded), newest first."""
        return [await self.progress(i) for i in await self.store.latest(limit)]

    # -- running -------------------------------------------------------------------------

    async def recover(self) -> int:
        """At start-up: rows left ``sending`` by a dead process become ``unknown``."""
        found = await self.store.recover(self.clock.now())
        if found:
            log.warning("outbox: %d message(s) in doubt after a crash, not resent", found)
        return found

    async def run(self, sender: Sender, *, until_idle: bool = False) -> None:
        """Send every running job's messages; forever, or until none is left (`until_idle`).

        Cancelling it is a clean stop: calls on the wire finish and are recorded.
        """
        await self.recover()
        # A process that just died may have filled the server's last second: wait it out.
        self.bucket.hold(self.bucket.window)
        pump = Pump(self, sender)
        try:
            await pump.loop(until_idle)
        except asyncio.CancelledError:
            if self.crash_on_cancel:
                pump.crash()
            else:
                await pump.drain()
            raise

    async def settled(self, timeout: float = 30.0) -> None:
        """Wait until no job is running (tests, drivers); TimeoutError after `timeout` s."""
        async with asyncio.timeout(timeout):
            while await self.store.running():  # noqa: ASYNC110 (the database is the truth)
                await asyncio.sleep(0.02)

    def wake(self) -> None:
        """Something was queued: look for work now."""
        self.wakeup.set()

    def due_report(self, last: float, *, final: bool) -> bool:
        """Whether a watched job's progress should be shown again now."""
        return final or time.monotonic() - last >= self.progress_every
