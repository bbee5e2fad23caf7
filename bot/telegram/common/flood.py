"""Per-person flood control: a token bucket per user, checked by the update gate.

Each person may send `burst` updates at once and `rate` per second after that
(messages, button presses and edits alike: a person, not a script, sets the
pace).  The first update over the limit is dropped and answered with one short
cool-down notice in their language; everything after it is dropped in silence
(a press still gets its spinner closed) until the person calms down: their
bucket must fill up again, and each update sent meanwhile takes a token, so a
flood that goes on keeps them silent.  Updates admitted before are handled in
full; nothing accepted is lost.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.lru import LRU

BURST = 5  # updates a person may send at once
RATE = 2.0  # updates per second a person may send after the burst
MEMORY = 100_000  # people whose bucket is remembered (the least recent are forgotten)


class Verdict(enum.Enum):
    """What to do with one update."""

    ADMIT = "admit"  # handle it
    WARN = "warn"  # drop it and send the cool-down notice (once per flood)
    DROP = "drop"  # drop it silently


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    cooling: bool = False


class FloodControl:
    """Token buckets by user id."""

    def __init__(
        self,
        burst: int = BURST,
        rate: float = RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`burst` updates at once, `rate` per second after; `clock` in seconds."""
        self.burst, self.rate, self.clock = burst, rate, clock
        self._buckets: LRU[int, _Bucket] = LRU(MEMORY)
        self.dropped = 0

    def admit(self, user_id: int) -> Verdict:
        """Take a token for one update of `user_id`, and say what to do with it."""
        now = self.clock()
        found = self._buckets.get(user_id)
        bucket = found if isinstance(found, _Bucket) else _Bucket(float(self.burst), now)
        self._buckets.put(user_id, bucket)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.cooling and bucket.tokens >= self.burst:
            bucket.cooling = False  # calm again: a full bucket
        if not bucket.cooling and bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        self.dropped += 1
        bucket.tokens = max(bucket.tokens - 1, -float(self.burst))  # flooding on delays calm
        if bucket.cooling:
            return Verdict.DROP
        bucket.cooling = True
        return Verdict.WARN


def unhurried() -> FloodControl:
    """Limits no simulated person reaches, for demos, benchmarks and tests, which drive
    simulated people at machine speed (a person is held to BURST and RATE)."""
    return FloodControl(burst=1_000_000, rate=1_000_000.0)
