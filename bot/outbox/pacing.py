"""Pacing: one token bucket for the whole process, and spacing per chat."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable

PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
CATCH_UP = 0.1  # seconds of pacing lag the bucket may make up after a stall


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
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                # that arrives as the event is set, and a send cancelled by a clean
                # stop would go on the wire after the stop had stopped waiting for it.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._released.wait()
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
