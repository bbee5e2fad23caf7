"""Clocks: the real one, and a settable one for tests and rehearsals.

Phases open and close by date, and deadlines are counted from "now", so every
place that needs the time asks a Clock instead of calling datetime.now().
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Source of the current time (aware, UTC)."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, the demo and rehearsals."""

    def __init__(self, start: dt.datetime) -> None:
        """Start at `start` (naive values are taken as China time)."""
        self._now = start if start.tzinfo else start.replace(tzinfo=CHINA)

    @classmethod
    def on_day(cls, day: dt.date, hour: int = 10) -> FixedClock:
        """A clock at `hour` o'clock China time on `day`."""
        return cls(dt.datetime(day.year, day.month, day.day, hour, tzinfo=CHINA))

    def now(self) -> dt.datetime:
        """The time the clock was set to."""
        return self._now.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward."""
        self._now += delta

    def set(self, moment: dt.datetime) -> None:
        """Move the clock to `moment`."""
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def local_today(clock: Clock, tz: str = "Asia/Shanghai") -> dt.date:
    """Today's date where the campaign runs."""
    return clock.now().astimezone(ZoneInfo(tz)).date()
