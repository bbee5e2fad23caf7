"""Chinese working-day calendar: complaint deadlines counted in working days.

Deadlines (第五篇 四) are given in working days (工作日): weekends and public
holidays do not count, and the Saturdays/Sundays that the State Council turns
into working days (调休上班) do.  :class:`WorkdayCalendar` answers "is this a
working day?" and "what is the n-th working day after the day of filing?" from
the yearly schedules shipped in ``bot/workdays/data``.

A year for which no schedule is shipped is not guessed: only weekends are
counted as days off, the result is marked ``estimated`` with the missing years
listed, and a warning is logged (logger ``bot.workdays``) once per year.  Days
from 25 December on also depend on the NEXT year's notice (its New Year's Day
arrangement may reach back into December), so they count as estimated while
that next year is missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.workdays.schedule import (
    NEXT_YEAR_REACH,
    ScheduleError,
    YearSchedule,
    load_packaged_schedules,
)

logger = logging.getLogger("bot.workdays")

DEFAULT_TZ = "Asia/Shanghai"
_END_OF_DAY = dt.time(23, 59, 59)
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DueDate:
    """A computed due day.

    `estimated` is True when some day counted lies in a year without a shipped
    schedule (those years are in `missing_years`, ascending); for them only
    weekends were taken as days off.
    """

    day: dt.date
    estimated: bool
    missing_years: tuple[int, ...]


class WorkdayCalendar:
    """Working days in mainland China, from the State Council's yearly holiday notices."""

    def __init__(self, schedules: Iterable[YearSchedule] = ()) -> None:
        """Build a calendar from validated year schedules (see :mod:`bot.workdays.schedule`).

        Raises :class:`ScheduleError` if two schedules are for the same year or
        disagree about a day (e.g. both list 31 December).
        """
        self._schedules: dict[int, YearSchedule] = {}
        self._overrides: dict[dt.date, bool] = {}
        owner: dict[dt.date, str] = {}
        for schedule in schedules:
            if schedule.year in self._schedules:
                raise ScheduleError(
                    f"{schedule.origin}: year {schedule.year} is already loaded from "
                    f"{self._schedules[schedule.year].origin}"
                )
            self._schedules[schedule.year] = schedule
            for day, is_work in schedule.overrides().items():
                if day in owner:
                    raise ScheduleError(
                        f"{schedule.origin}: {day.isoformat()} is also set by {owner[day]}"
                    )
                owner[day] = schedule.origin
                self._overrides[day] = is_work
        self._warned: set[int] = set()

    @classmethod
    def default(cls) -> WorkdayCalendar:
        """Return the calendar of the shipped ``cn-YYYY.yaml`` files (loaded once per process)."""
        return _default_calendar()

    # -- what the data covers -------------------------------------------------

    def has_schedule(self, year: int) -> bool:
        """Whether the official schedule of `year` is loaded."""
        return year in self._schedules

    def years_covered(self) -> list[int]:
        """Return the years whose official schedule is loaded, ascending."""
        return sorted(self._schedules)

    def source(self, year: int) -> str | None:
        """Return the citation of the notice(s) behind `year`'s schedule, or None if not loaded."""
        schedule = self._schedules.get(year)
        return schedule.citation() if schedule is not None else None

    # -- single days ------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        """Whether `day` is a working day.

        Make-up working days (调休) are working days; public holidays are not;
        otherwise Monday to Friday are.  For a year without a schedule this is
        simply "not a weekend".
        """
        override = self._overrides.get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    def previous_workday(self, day: dt.date) -> dt.date:
        """Return the last working day strictly before `day` (for a reminder before a due day)."""
        candidate = day - _ONE_DAY
        while not self.is_workday(candidate):
            candidate -= _ONE_DAY
        return candidate

    # -- counting ---------------------------------------------------------------

    def add_workdays(self, start: dt.date, n: int) -> DueDate:
        """Return the n-th working day after `start` (n >= 1).

        The day of filing never counts, whether or not it is a working day: a
        complaint filed on Friday with n=1 is due on Monday (in an ordinary
        week).  If a day counted falls in a year without a schedule, the result
        is estimated and a warning is logged once for that year.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number of working days >= 1, got {n!r}")
        missing: set[int] = set()
        day = start
        counted = 0
        while counted < n:
            day += _ONE_DAY
            missing.update(self._missing_years_for(day))
            if self.is_workday(day):
                counted += 1
        self._warn_missing(missing)
        return DueDate(day=day, estimated=bool(missing), missing_years=tuple(sorted(missing)))

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Count the working days in (start, end]: after `start`, up to and including `end`.

        Returns 0 when `end` is not after `start`.  For n >= 1,
        ``workdays_between(s, add_workdays(s, n).day) == n``.
        """
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_workday(day):
                count += 1
            day += _ONE_DAY
        return count

    def due_at(
        self, filed_at: dt.datetime, n: int, tz: str = DEFAULT_TZ
    ) -> tuple[dt.datetime, DueDate]:
        """Return the end of the due day (23:59:59 local, timezone-aware) and the DueDate.

        The filing day is the local calendar date of `filed_at` in `tz`, so a
        complaint sent at 01:00 Beijing time on Monday (Sunday 17:00 UTC) is
        filed on Monday.  `filed_at` must be timezone-aware.
        """
        if filed_at.tzinfo is None or filed_at.utcoffset() is None:
            raise ValueError("filed_at must be a timezone-aware datetime")
        zone = ZoneInfo(tz)
        filed_day = filed_at.astimezone(zone).date()
        due = self.add_workdays(filed_day, n)
        return dt.datetime.combine(due.day, _END_OF_DAY, tzinfo=zone), due

    # -- internals --------------------------------------------------------------

    def _missing_years_for(self, day: dt.date) -> tuple[int, ...]:
        """Return the years whose missing schedule makes `day`'s status a guess."""
        missing: list[int] = []
        if day.year not in self._schedules:
            missing.append(day.year)
        if (day.month, day.day) >= NEXT_YEAR_REACH and day.year + 1 not in self._schedules:
            missing.append(day.year + 1)
        return tuple(missing)

    def _warn_missing(self, years: Iterable[int]) -> None:
        """Log, once per year and calendar, that a year without a schedule was counted."""
        for year in sorted(years):
            if year in self._warned:
                continue
            self._warned.add(year)
            logger.warning(
                "no official holiday schedule for %d: only weekends are counted as days off "
                "there, so due dates that cross it are estimates "
                "(add bot/workdays/data/cn-%d.yaml)",
                year,
                year,
            )


@functools.lru_cache(maxsize=1)
def _default_calendar() -> WorkdayCalendar:
    """Load the shipped schedules once."""
    return WorkdayCalendar(load_packaged_schedules())
