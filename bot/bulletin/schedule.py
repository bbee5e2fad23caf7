"""When scheduled bulletins are due: `BULLETIN_SCHEDULE`, read in each campaign's time zone.

The setting is one of

- ``off``: no scheduled bulletin (``/bulletin send`` still works);
- ``daily HH:MM``;
- ``mon HH:MM`` … ``sun HH:MM``: weekly on that day (the default, ``mon 09:00``);
- ``monthly D HH:MM``: on day D (1–28) of each month.

A slot is one scheduled time.  Only the latest slot that has passed is due: after
downtime, one bulletin covers everything since the last one rather than one per
missed slot (the period always runs from the previous bulletin's end).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_SCHEDULE = "mon 09:00"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHAPE = re.compile(
    r"^(?:(?P<off>off)|(?P<every>daily|mon|tue|wed|thu|fri|sat|sun)"
    r"|monthly (?P<day>[0-9]{1,2}))(?: (?P<hh>[0-9]{1,2}):(?P<mm>[0-9]{2}))?$"
)


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """A bulletin schedule: `every` is daily, a weekday, or monthly on `day`; None: off."""

    every: str | None
    at: dt.time = dt.time(9, 0)
    day: int = 1

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Read a schedule (see the module docstring); ScheduleError if malformed."""
        found = _SHAPE.match(" ".join(text.strip().lower().split()))
        if found is None:
            raise ScheduleError(
                "expected off, daily HH:MM, mon…sun HH:MM or monthly D HH:MM, e.g. 'mon 09:00'"
            )
        if found["off"]:
            return cls(None)
        hour, minute = int(found["hh"] or 9), int(found["mm"] or 0)
        if hour > 23 or minute > 59:
            raise ScheduleError("the time must be HH:MM between 00:00 and 23:59")
        day = int(found["day"] or 1)
        if not 1 <= day <= 28:
            raise ScheduleError("the day of the month must be 1 to 28 (every month has it)")
        every = "monthly" if found["day"] else found["every"]
        return cls(every, dt.time(hour, minute), day)

    @property
    def enabled(self) -> bool:
        """Whether bulletins are scheduled at all."""
        return self.every is not None

    def latest_slot(self, now: dt.datetime, tz: str) -> dt.datetime | None:
        """The latest scheduled time at or before `now`, local to `tz` (None when off)."""
        if self.every is None:
            return None
        local = now.astimezone(ZoneInfo(tz))
        day = local.date()
        for _ in range(62):  # two months back is always enough to meet a slot
            slot = dt.datetime.combine(day, self.at, tzinfo=ZoneInfo(tz))
            if slot <= local and self._on(day):
                return slot
            day -= dt.timedelta(days=1)
        return None

    def _on(self, day: dt.date) -> bool:
        """Whether a slot falls on `day`."""
        if self.every == "daily":
            return True
        if self.every == "monthly":
            return day.day == self.day
        return WEEKDAYS[day.weekday()] == self.every


def slot_key(slot: dt.datetime) -> str:
    """A slot as stored beside its bulletin (local ISO time, to the minute)."""
    return slot.strftime("%Y-%m-%dT%H:%M")
