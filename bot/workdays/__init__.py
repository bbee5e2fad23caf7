"""Chinese working-day calendar (工作日) for complaint deadlines; pure Python, no Telegram.

Use :meth:`WorkdayCalendar.default` for the shipped State Council schedules
(``bot/workdays/data/cn-YYYY.yaml``).
"""

from bot.workdays.calendar import DEFAULT_TZ, DueDate, WorkdayCalendar
from bot.workdays.schedule import (
    Holiday,
    MakeUpWorkday,
    Notice,
    ScheduleError,
    YearSchedule,
    load_packaged_schedules,
    load_schedule_file,
    parse_schedule,
    parse_schedule_text,
)

__all__ = [
    "DEFAULT_TZ",
    "DueDate",
    "Holiday",
    "MakeUpWorkday",
    "Notice",
    "ScheduleError",
    "WorkdayCalendar",
    "YearSchedule",
    "load_packaged_schedules",
    "load_schedule_file",
    "parse_schedule",
    "parse_schedule_text",
]
