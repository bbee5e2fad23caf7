"""Complaint deadlines in working days (003 第五篇 四), from the working-day calendar."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.campaign.schema import CaseClass, Complaints
from bot.workdays import WorkdayCalendar

log = logging.getLogger(__name__)

# Reminders go out at the start of the working day before the due day.
REMIND_HOUR = dt.time(9, 0)


@dataclass(frozen=True)
class Deadline:
    """When a complaint is due, when its handlers are reminded, and whether it is a guess."""

    due_at: dt.datetime  # end of the due day, local time (aware)
    remind_at: dt.datetime  # 09:00 local on the working day before the due day
    estimated: bool  # a year without a published schedule was counted: weekends only
    missing_years: tuple[int, ...]


def case_class(rules: Complaints, class_id: str | None) -> CaseClass:
    """The case class with this id, or the campaign's default."""
    wanted = class_id or rules.default_case_class
    for cls in rules.case_classes:
        if cls.id == wanted:
            return cls
    return next(c for c in rules.case_classes if c.id == rules.default_case_class)


def deadline(
    calendar: WorkdayCalendar, start: dt.datetime, working_days: int, tz: str, reference: str = ""
) -> Deadline:
    """The deadline `working_days` working days after the local day of `start`.

    The day of filing never counts.  The reminder is never before `start` (a
    one-day case is reminded at once).  An estimated deadline is logged with
    the complaint's tracking number (`reference`), never with who filed it.
    """
    due_at, due = calendar.due_at(start, working_days, tz)
    before = calendar.previous_workday(due.day)
    remind_at = dt.datetime.combine(before, REMIND_HOUR, tzinfo=ZoneInfo(tz))
    remind_at = max(remind_at, start)
    if due.estimated:
        log.warning(
            "complaint %s: due %s is estimated (no holiday schedule for %s: weekends only)",
            reference or "-",
            due.day.isoformat(),
            ", ".join(str(y) for y in due.missing_years),
        )
    return Deadline(due_at, remind_at, due.estimated, due.missing_years)


def extended(
    calendar: WorkdayCalendar, current_due: dt.datetime, working_days: int, tz: str, reference: str
) -> Deadline:
    """An approved extension: `working_days` more working days after the current due day."""
    return deadline(calendar, current_due, working_days, tz, reference)
