"""Webhook delivery as Telegram does it: each update POSTed as JSON to the bot's URL
with the `X-Telegram-Bot-Api-Secret-Token` header, up to `max_connections` requests
in flight; an update is delivered once answered 2xx, and POSTed again after a
non-2xx answer, a refused connection or a timeout."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from bot.localapi.models import JsonDict
from bot.localapi.updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_AFTER = 0.2  # seconds before an update that failed is POSTed again
POST_TIMEOUT = 10.0  # seconds a webhook may take to answer


@dataclass
class WebhookStats:
    """What delivery saw: POSTs by answer status (0: no answer), redeliveries."""

    statuses: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    last_error: str = ""


class WebhookDelivery:
    """POSTs the queue's updates to one URL until stopped."""

    def __init__(
        self,
        queue: UpdateQueue,
        url: str,
        secret: str | None,
        max_connections: int,
        on_answer: Callable[[], None] = lambda: None,
    ) -> None:
        """Deliver `queue` to `url`; `on_answer()` after each POST (wakes the server's waiters)."""
        self.queue, self.url, self.secret, self.on_answer = queue, url, secret, on_answer
        self.max_connections = max_connections
        self.stats = WebhookStats()
        self._busy: set[int] = set()
        self._slots = asyncio.Semaphore(max_connections)
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start delivering."""
        self._task = asyncio.create_task(self._run(), name="localapi-webhook")

    async def stop(self) -> None:
        """Stop; updates not yet answered 2xx stay queued (for getUpdates or a new hook)."""
        tasks = [t for t in (self._task, *self._posts) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:
            while True:
                for update in await self.queue.next_unsent(self._busy, 3600.0):
                    await self._slots.acquire()
                    self._busy.add(update["update_id"])
                    post = asyncio.create_task(self._post(session, update))
                    self._posts.add(post)
                    post.add_done_callback(self._posts.discard)

    async def _post(self, session: aiohttp.ClientSession, update: JsonDict) -> None:
        update_id, status = update["update_id"], 0
        try:
            async with session.post(self.url, json=update) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.stats.last_error = repr(error)
        self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
        try:
            if 200 <= status < 300:
                self.queue.confirm_one(update_id)
                self.on_answer()
            else:
                self.stats.retries += 1
                await asyncio.sleep(RETRY_AFTER)
        finally:
            self._busy.discard(update_id)
            self._slots.release()
            self.queue.notify()
