"""One year's official holiday schedule (节假日安排), parsed and validated.

Each year the State Council General Office publishes a notice (《国务院办公厅关于
YYYY年部分节假日安排的通知》) naming the days off for each public holiday and the
Saturdays/Sundays that become working days to make up for them (调休).  One
YAML file per year (``bot/workdays/data/cn-YYYY.yaml``) records that notice;
this module turns such a file into a :class:`YearSchedule` and refuses a file
that cannot be right, with an error that names the file.

Everything in a file belongs to its year, with one exception: the New Year's
Day (元旦) holiday of year Y may start, or have its make-up working day, in the
last week of December of year Y-1 (the 2012 notice made Sat 2011-12-31 a
working day; the 2019 notice gave 2018-12-30/31 off).  Such dates are recorded
in the file of the year whose notice set them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

NEW_YEAR = "元旦"
# The earliest day of December (of the previous year) that a New Year's Day
# arrangement may touch.  Also used by the calendar: a day from here to Dec 31
# is only known once the NEXT year's notice is in.
NEXT_YEAR_REACH = (12, 25)

_DATA_PACKAGE = "bot.workdays.data"
_FILE_PREFIX = "cn-"
_FILE_SUFFIX = ".yaml"


class ScheduleError(ValueError):
    """A holiday schedule file is malformed or contradicts itself."""


@dataclass(frozen=True)
class Notice:
    """A published notice: title, document number (发文字号) and its date (成文日期)."""

    title: str
    number: str
    dated: dt.date
    change: str | None = None

    def cite(self) -> str:
        """Return the usual Chinese citation: 《title》（number，YYYY-MM-DD）."""
        return f"《{self.title}》（{self.number}，{self.dated.isoformat()}）"


@dataclass(frozen=True)
class Holiday:
    """A holiday period: every day from `start` to `end` inclusive is off."""

    name: str
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        """Yield each day of the period, in order."""
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class MakeUpWorkday:
    """A Saturday or Sunday that is a working day (调休上班) for `holiday`."""

    day: dt.date
    holiday: str


@dataclass(frozen=True)
class YearSchedule:
    """The validated schedule of one year, as published (and amended) by the State Council."""

    year: int
    source: Notice
    amendments: tuple[Notice, ...]
    holidays: tuple[Holiday, ...]
    workdays: tuple[MakeUpWorkday, ...]
    origin: str

    def citation(self) -> str:
        """Return the notice (and any amending notices) this schedule comes from."""
        text = self.source.cite()
        for amendment in self.amendments:
            text += f"；经{amendment.cite()}调整"
        return text

    def overrides(self) -> dict[dt.date, bool]:
        """Return the days whose status differs from the weekday rule: False = off, True = work."""
        result: dict[dt.date, bool] = {}
        for holiday in self.holidays:
            for day in holiday.days():
                result[day] = False
        for workday in self.workdays:
            result[workday.day] = True
        return result


def _fail(origin: str, message: str) -> ScheduleError:
    """Build a ScheduleError whose message starts with the file it is about."""
    return ScheduleError(f"{origin}: {message}")


def _require(mapping: Mapping[str, Any], key: str, origin: str, where: str) -> Any:
    """Return `mapping[key]`, or fail naming the missing key."""
    if key not in mapping:
        raise _fail(origin, f"{where}: missing key {key!r}")
    return mapping[key]


def _check_keys(mapping: Any, allowed: set[str], origin: str, where: str) -> Mapping[str, Any]:
    """Ensure `mapping` is a mapping with no keys outside `allowed` (typos are errors)."""
    if not isinstance(mapping, Mapping):
        raise _fail(origin, f"{where}: expected a mapping, got {type(mapping).__name__}")
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise _fail(origin, f"{where}: unknown key(s) {', '.join(unknown)}")
    return mapping


def _text(value: Any, origin: str, where: str) -> str:
    """Return `value` as a non-empty string, or fail."""
    if not isinstance(value, str) or not value.strip():
        raise _fail(origin, f"{where}: expected non-empty text, got {value!r}")
    return value.strip()


def _date(value: Any, origin: str, where: str) -> dt.date:
    """Return `value` as a date (YAML dates arrive as `date`; ISO strings are accepted)."""
    if isinstance(value, dt.datetime):
        raise _fail(origin, f"{where}: expected a date, got a date-time {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(origin, f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def _notice(raw: Any, origin: str, where: str, *, amendment: bool) -> Notice:
    """Parse a `source` or `amendments` entry."""
    allowed = {"title", "number", "dated"} | ({"change"} if amendment else set())
    data = _check_keys(raw, allowed, origin, where)
    change = data.get("change")
    return Notice(
        title=_text(_require(data, "title", origin, where), origin, f"{where}.title"),
        number=_text(_require(data, "number", origin, where), origin, f"{where}.number"),
        dated=_date(_require(data, "dated", origin, where), origin, f"{where}.dated"),
        change=_text(change, origin, f"{where}.change") if change is not None else None,
    )


def _in_scope(day: dt.date, year: int, holiday: str) -> bool:
    """Whether `day` may appear in the schedule of `year` for `holiday` (see module doc)."""
    if day.year == year:
        return True
    return holiday == NEW_YEAR and day.year == year - 1 and (day.month, day.day) >= NEXT_YEAR_REACH


def _scope_error(origin: str, where: str, day: dt.date, year: int) -> ScheduleError:
    """Build the error for a date that does not belong to the file's year."""
    return _fail(
        origin,
        f"{where}: {day.isoformat()} is outside {year} (only {NEW_YEAR} may reach into "
        f"the last week of December {year - 1})",
    )


def _list(raw: Any, origin: str, key: str) -> list[Any]:
    """Return the list under `key` (an absent or empty key is an empty list)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(origin, f"{key}: expected a list, got {type(raw).__name__}")
    return raw


def _holidays(raw: Any, year: int, origin: str) -> tuple[Holiday, ...]:
    """Parse and check the `holidays` list."""
    result: list[Holiday] = []
    for index, item in enumerate(_list(raw, origin, "holidays")):
        where = f"holidays[{index}]"
        data = _check_keys(item, {"name", "start", "end"}, origin, where)
        name = _text(_require(data, "name", origin, where), origin, f"{where}.name")
        where = f"holidays[{index}] ({name})"
        start = _date(_require(data, "start", origin, where), origin, f"{where}.start")
        end = _date(data.get("end", start), origin, f"{where}.end")
        if end < start:
            raise _fail(origin, f"{where}: ends {end.isoformat()} before it starts {start}")
        if (end - start).days > 15:
            raise _fail(origin, f"{where}: {start}..{end} is implausibly long for one holiday")
        for day in (start, end):
            if not _in_scope(day, year, name):
                raise _scope_error(origin, where, day, year)
        result.append(Holiday(name=name, start=start, end=end))
    if not result:
        raise _fail(origin, "holidays: a year's schedule lists at least one holiday")
    return tuple(result)


def _workdays(
    raw: Any, year: int, origin: str, holiday_names: set[str]
) -> tuple[MakeUpWorkday, ...]:
    """Parse and check the `workdays` list (make-up working days)."""
    result: list[MakeUpWorkday] = []
    for index, item in enumerate(_list(raw, origin, "workdays")):
        where = f"workdays[{index}]"
        data = _check_keys(item, {"date", "holiday"}, origin, where)
        day = _date(_require(data, "date", origin, where), origin, f"{where}.date")
        where = f"workdays[{index}] ({day.isoformat()})"
        holiday = _text(_require(data, "holiday", origin, where), origin, f"{where}.holiday")
        if holiday not in holiday_names:
            raise _fail(origin, f"{where}: holiday {holiday!r} is not among this file's holidays")
        if day.weekday() < 5:
            raise _fail(
                origin,
                f"{where}: a make-up working day must be a Saturday or Sunday, "
                f"{day.isoformat()} is a {day.strftime('%A')}",
            )
        if not _in_scope(day, year, holiday):
            raise _scope_error(origin, where, day, year)
        result.append(MakeUpWorkday(day=day, holiday=holiday))
    return tuple(result)


def parse_schedule(raw: Any, origin: str) -> YearSchedule:
    """Validate one year's schedule (the parsed YAML mapping) and return it.

    `origin` names the file (or test fixture) in every error message.  Raises
    :class:`ScheduleError` when a key is missing or unknown, a date is not in
    the file's year, a make-up working day is not a weekend day, a day is both
    off and a working day, or a day is listed twice.
    """
    data = _check_keys(raw, {"year", "source", "amendments", "holidays", "workdays"}, origin, "top")
    year = _require(data, "year", origin, "top")
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 < year < 2200:
        raise _fail(origin, f"year: expected a year, got {year!r}")
    source = _notice(_require(data, "source", origin, "top"), origin, "source", amendment=False)
    amendments = tuple(
        _notice(item, origin, f"amendments[{i}]", amendment=True)
        for i, item in enumerate(_list(data.get("amendments"), origin, "amendments"))
    )
    holidays = _holidays(_require(data, "holidays", origin, "top"), year, origin)
    workdays = _workdays(data.get("workdays"), year, origin, {h.name for h in holidays})

    seen_off: dict[dt.date, str] = {}
    for holiday in holidays:
        for day in holiday.days():
            if day in seen_off:
                raise _fail(
                    origin,
                    f"{day.isoformat()} is in two holidays ({seen_off[day]}, {holiday.name})",
                )
            seen_off[day] = holiday.name
    seen_work: set[dt.date] = set()
    for workday in workdays:
        if workday.day in seen_off:
            raise _fail(
                origin,
                f"{workday.day.isoformat()} is both a day off ({seen_off[workday.day]}) "
                "and a make-up working day",
            )
        if workday.day in seen_work:
            raise _fail(origin, f"{workday.day.isoformat()} is listed twice as a working day")
        seen_work.add(workday.day)

    return YearSchedule(
        year=year,
        source=source,
        amendments=amendments,
        holidays=holidays,
        workdays=workdays,
        origin=origin,
    )


def parse_schedule_text(text: str, origin: str) -> YearSchedule:
    """Parse YAML `text` and validate it as one year's schedule (see :func:`parse_schedule`)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(origin, f"not valid YAML: {exc}") from exc
    return parse_schedule(raw, origin)


def _check_file_year(schedule: YearSchedule, name: str) -> YearSchedule:
    """Ensure a file called ``cn-YYYY.yaml`` holds the year YYYY."""
    stem = name.removeprefix(_FILE_PREFIX).removesuffix(_FILE_SUFFIX)
    if stem != str(schedule.year):
        raise _fail(name, f"file name says {stem!r} but the file holds year {schedule.year}")
    return schedule


def load_schedule_file(path: Path) -> YearSchedule:
    """Load and validate one ``cn-YYYY.yaml`` file from disk."""
    return _check_file_year(parse_schedule_text(path.read_text("utf-8"), path.name), path.name)


def load_packaged_schedules() -> list[YearSchedule]:
    """Load every ``cn-YYYY.yaml`` shipped in :mod:`bot.workdays.data`, in year order."""
    result: list[YearSchedule] = []
    for entry in resources.files(_DATA_PACKAGE).iterdir():
        name = entry.name
        if not (name.startswith(_FILE_PREFIX) and name.endswith(_FILE_SUFFIX)):
            continue
        schedule = parse_schedule_text(entry.read_text("utf-8"), name)
        result.append(_check_file_year(schedule, name))
    return sorted(result, key=lambda s: s.year)
