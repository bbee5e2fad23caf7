"""Working-day arithmetic on the shipped Chinese holiday schedules.

Every expected date below was worked out by hand from the State Council
notices; the comments show the count.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.workdays import DueDate, WorkdayCalendar, load_packaged_schedules

D = dt.date


@pytest.fixture
def cal() -> WorkdayCalendar:
    """A fresh calendar of the shipped files (so 'warn once' state is per test)."""
    return WorkdayCalendar(load_packaged_schedules())


def only_years(*years: int) -> WorkdayCalendar:
    """A calendar holding only the shipped schedules of `years`."""
    return WorkdayCalendar(s for s in load_packaged_schedules() if s.year in years)


# -- coverage and sources --------------------------------------------------------


def test_default_is_loaded_once_and_covers_2011_2012() -> None:
    default = WorkdayCalendar.default()
    assert default is WorkdayCalendar.default()
    assert default.has_schedule(2011)
    assert default.has_schedule(2012)
    assert not default.has_schedule(2010)
    years = default.years_covered()
    assert years == sorted(years)
    assert {2011, 2012} <= set(years)
    # Covered years are contiguous: a gap would silently fall back to weekends-only.
    assert years == list(range(years[0], years[-1] + 1))


def test_source_cites_the_notice(cal: WorkdayCalendar) -> None:
    source = cal.source(2011)
    assert source is not None
    assert "国务院办公厅关于2011年部分节假日安排的通知" in source
    assert "国办发明电〔2010〕40号" in source
    assert "国办发明电〔2011〕45号" in (cal.source(2012) or "")
    assert cal.source(1999) is None


# -- single days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2011, 10, 8), True),  # Saturday, make-up working day for 国庆节
        (D(2011, 10, 9), True),  # Sunday, make-up working day for 国庆节
        (D(2011, 10, 3), False),  # Monday inside the National Day holiday
        (D(2011, 10, 15), False),  # an ordinary Saturday
        (D(2011, 10, 10), True),  # an ordinary Monday
        (D(2011, 1, 30), True),  # Sunday, make-up for 春节 2011
        (D(2011, 2, 12), True),  # Saturday, make-up for 春节 2011
        (D(2011, 2, 2), False),  # 除夕 2011, a Wednesday
        (D(2011, 12, 31), True),  # Saturday, make-up for 元旦 2012 (set by the 2012 notice)
        (D(2012, 1, 2), False),  # Monday, 元旦 2012
        (D(2012, 1, 21), True),  # Saturday, make-up for 春节 2012
        (D(2012, 9, 29), True),  # Saturday, make-up for 中秋节、国庆节 2012
    ],
)
def test_is_workday(cal: WorkdayCalendar, day: dt.date, expected: bool) -> None:
    assert cal.is_workday(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2015, 9, 3), False),  # one-off 抗战胜利70周年 holiday (Thursday)
        (D(2015, 9, 4), False),  # its day in lieu (Friday)
        (D(2015, 9, 6), True),  # Sunday worked for it
        (D(2019, 5, 2), False),  # Labour Day 2019 as extended in March 2019
        (D(2019, 5, 5), True),  # Sunday worked for the extension
        (D(2018, 12, 29), True),  # Saturday worked for 元旦 2019
        (D(2018, 12, 31), False),  # Monday off for 元旦 2019
        (D(2020, 1, 31), False),  # Spring Festival 2020 extension (Friday)
        (D(2020, 2, 1), False),  # Saturday: make-up day cancelled by the extension
        (D(2020, 2, 3), True),  # work resumed Monday
        (D(2024, 2, 9), True),  # 除夕 2024 was not a public holiday
        (D(2025, 1, 28), False),  # 除夕 2025: first year of the 8-day Spring Festival
        (D(2025, 2, 4), False),
        (D(2025, 4, 27), True),
    ],
)
def test_irregular_years(cal: WorkdayCalendar, day: dt.date, expected: bool) -> None:
    if not cal.has_schedule(day.year):
        pytest.skip(f"{day.year} not shipped")
    assert cal.is_workday(day) is expected


def test_year_without_schedule_is_weekends_only(cal: WorkdayCalendar) -> None:
    assert cal.is_workday(D(2040, 10, 1))  # a Monday; no guessing at National Day
    assert not cal.is_workday(D(2040, 10, 6))  # Saturday


def test_previous_workday(cal: WorkdayCalendar) -> None:
    assert cal.previous_workday(D(2011, 10, 10)) == D(2011, 10, 9)  # make-up Sunday
    assert cal.previous_workday(D(2011, 10, 8)) == D(2011, 9, 30)  # back over the holiday
    assert cal.previous_workday(D(2012, 1, 4)) == D(2011, 12, 31)  # make-up Saturday
    assert cal.previous_workday(D(2011, 3, 7)) == D(2011, 3, 4)  # Monday -> Friday


# -- add_workdays ----------------------------------------------------------------------


def test_n_equals_one(cal: WorkdayCalendar) -> None:
    # Wed 2011-03-02 -> Thu 2011-03-03
    assert cal.add_workdays(D(2011, 3, 2), 1) == DueDate(D(2011, 3, 3), False, ())


@pytest.mark.parametrize("n", [0, -1])
def test_n_must_be_positive(cal: WorkdayCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        cal.add_workdays(D(2011, 3, 2), n)


def test_ordinary_weekend(cal: WorkdayCalendar) -> None:
    # Fri 2011-03-04 + 1: Sat 5, Sun 6 skipped -> Mon 7
    assert cal.add_workdays(D(2011, 3, 4), 1).day == D(2011, 3, 7)
    # Fri 2011-03-04 + 5: Mon 7 (1) Tue 8 (2) Wed 9 (3) Thu 10 (4) Fri 11 (5)
    assert cal.add_workdays(D(2011, 3, 4), 5).day == D(2011, 3, 11)
    # Filed on Saturday 2011-03-05: the filing day never counts -> Mon 7
    assert cal.add_workdays(D(2011, 3, 5), 1).day == D(2011, 3, 7)


def test_across_national_day_2011(cal: WorkdayCalendar) -> None:
    # Filed Thu 2011-09-29, 5 working days:
    #   Fri 9-30 (1); Sat 10-1 .. Fri 10-7 holiday; Sat 10-8 make-up (2);
    #   Sun 10-9 make-up (3); Mon 10-10 (4); Tue 10-11 (5)
    due = cal.add_workdays(D(2011, 9, 29), 5)
    assert due == DueDate(D(2011, 10, 11), estimated=False, missing_years=())
    # 10 working days: ... Tue 10-11 (5) Wed 12 (6) Thu 13 (7) Fri 14 (8) Mon 17 (9) Tue 18 (10)
    assert cal.add_workdays(D(2011, 9, 29), 10).day == D(2011, 10, 18)


def test_across_spring_festival_2011(cal: WorkdayCalendar) -> None:
    # Holiday Wed 2-2 .. Tue 2-8; make-up Sun 1-30 and Sat 2-12.
    # Filed Fri 2011-01-28: Sat 1-29 off; Sun 1-30 (1); Mon 1-31 (2); Tue 2-1 (3);
    #   2-2 .. 2-8 off; Wed 2-9 (4); Thu 2-10 (5); Fri 2-11 (6); Sat 2-12 (7)
    assert cal.add_workdays(D(2011, 1, 28), 3).day == D(2011, 2, 1)
    assert cal.add_workdays(D(2011, 1, 28), 4).day == D(2011, 2, 9)
    assert cal.add_workdays(D(2011, 1, 28), 7).day == D(2011, 2, 12)


def test_across_spring_festival_2012(cal: WorkdayCalendar) -> None:
    # Holiday Sun 1-22 .. Sat 1-28; make-up Sat 1-21 and Sun 1-29.
    # Filed Thu 2012-01-19: Fri 1-20 (1); Sat 1-21 (2); 1-22 .. 1-28 off; Sun 1-29 (3); Mon 1-30 (4)
    assert cal.add_workdays(D(2012, 1, 19), 2).day == D(2012, 1, 21)
    assert cal.add_workdays(D(2012, 1, 19), 3).day == D(2012, 1, 29)
    assert cal.add_workdays(D(2012, 1, 19), 4).day == D(2012, 1, 30)


def test_across_year_boundary_2011_2012(cal: WorkdayCalendar) -> None:
    # Filed Thu 2011-12-29, 5 working days:
    #   Fri 12-30 (1); Sat 12-31 make-up for 元旦 2012 (2); Sun 1-1 .. Tue 1-3 元旦;
    #   Wed 1-4 (3); Thu 1-5 (4); Fri 1-6 (5)
    assert cal.add_workdays(D(2011, 12, 29), 5) == DueDate(D(2012, 1, 6), False, ())


def test_filing_on_a_holiday(cal: WorkdayCalendar) -> None:
    # Filed Sat 2011-10-01 (National Day): next working day is make-up Sat 10-8
    assert cal.add_workdays(D(2011, 10, 1), 1).day == D(2011, 10, 8)
    # Filed Mon 2011-10-03 (a weekday inside the holiday): same
    assert cal.add_workdays(D(2011, 10, 3), 1).day == D(2011, 10, 8)
    # Filed on the make-up Saturday itself: the filing day does not count -> Sun 10-9
    assert cal.add_workdays(D(2011, 10, 8), 1).day == D(2011, 10, 9)


# -- years without a schedule ------------------------------------------------------------


def test_year_without_file_is_estimated_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    cal = only_years(2011, 2012)
    caplog.set_level(logging.WARNING, logger="bot.workdays")
    # Fri 2013-03-01 + 5, weekends only: Mon 4 .. Fri 8
    due = cal.add_workdays(D(2013, 3, 1), 5)
    assert due == DueDate(D(2013, 3, 8), estimated=True, missing_years=(2013,))
    # 2013-10-01 is a Tuesday: without the 2013 file it counts as a working day.
    # Mon 2013-09-30 + 1 -> Tue 10-01
    assert cal.add_workdays(D(2013, 9, 30), 1).day == D(2013, 10, 1)
    warnings = [r for r in caplog.records if r.name == "bot.workdays"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2013" in warnings[0].getMessage()
    assert "only weekends" in warnings[0].getMessage()


def test_crossing_into_a_missing_year_lists_it(caplog: pytest.LogCaptureFixture) -> None:
    cal = only_years(2011)
    caplog.set_level(logging.WARNING, logger="bot.workdays")
    # Without the 2012 notice, Sat 2011-12-31 is an ordinary Saturday and 2012-01-02/03
    # ordinary weekdays.  Thu 2011-12-29 + 3: Fri 30 (1); Mon 1-2 (2); Tue 1-3 (3)
    due = cal.add_workdays(D(2011, 12, 29), 3)
    assert due == DueDate(D(2012, 1, 3), estimated=True, missing_years=(2012,))
    # Even a due day still in 2011 is an estimate once it is in late December:
    # the 2012 notice decides 2011-12-31.
    late = cal.add_workdays(D(2011, 12, 28), 1)
    assert late == DueDate(D(2011, 12, 29), estimated=True, missing_years=(2012,))
    # ...but not earlier in December.
    assert cal.add_workdays(D(2011, 12, 1), 1) == DueDate(D(2011, 12, 2), False, ())
    assert len([r for r in caplog.records if r.name == "bot.workdays"]) == 1


def test_covered_years_do_not_warn(cal: WorkdayCalendar, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.workdays")
    cal.add_workdays(D(2011, 9, 29), 30)
    assert not [r for r in caplog.records if r.name == "bot.workdays"]


# -- workdays_between ------------------------------------------------------------------


def test_workdays_between(cal: WorkdayCalendar) -> None:
    # (Thu 9-29, Tue 10-11]: Fri 9-30, Sat 10-8, Sun 10-9, Mon 10-10, Tue 10-11
    assert cal.workdays_between(D(2011, 9, 29), D(2011, 10, 11)) == 5
    assert cal.workdays_between(D(2011, 10, 1), D(2011, 10, 7)) == 0
    assert cal.workdays_between(D(2011, 3, 4), D(2011, 3, 4)) == 0
    assert cal.workdays_between(D(2011, 3, 11), D(2011, 3, 4)) == 0


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(2011, 1, 1), max_value=D(2012, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_workdays_between_agrees_with_add_workdays(start: dt.date, n: int) -> None:
    cal = WorkdayCalendar.default()
    due = cal.add_workdays(start, n)
    assert cal.is_workday(due.day)
    assert cal.workdays_between(start, due.day) == n
    # It is the FIRST day reaching n: the working day before it is still short of n.
    assert cal.workdays_between(start, cal.previous_workday(due.day)) == n - 1


# -- due_at ---------------------------------------------------------------------------


def test_due_at_uses_local_date_and_end_of_day(cal: WorkdayCalendar) -> None:
    # 17:00 UTC on Wed 2011-09-28 is 01:00 Thu 2011-09-29 in Beijing: filed Thursday.
    filed = dt.datetime(2011, 9, 28, 17, 0, tzinfo=dt.UTC)
    end, due = cal.due_at(filed, 5)
    assert due.day == D(2011, 10, 11)
    assert end.tzinfo is not None
    assert end.replace(tzinfo=None) == dt.datetime(2011, 10, 11, 23, 59, 59)
    assert end.utcoffset() == dt.timedelta(hours=8)
    assert end == dt.datetime(2011, 10, 11, 15, 59, 59, tzinfo=dt.UTC)


def test_due_at_other_timezone(cal: WorkdayCalendar) -> None:
    # Same instant, but in UTC it is still Wednesday 9-28: Thu 9-29 (1) Fri 9-30 (2)
    filed = dt.datetime(2011, 9, 28, 17, 0, tzinfo=dt.UTC)
    end, due = cal.due_at(filed, 2, tz="UTC")
    assert due.day == D(2011, 9, 30)
    assert end == dt.datetime(2011, 9, 30, 23, 59, 59, tzinfo=dt.UTC)


def test_due_at_rejects_naive_datetime(cal: WorkdayCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.due_at(dt.datetime(2011, 9, 29, 10, 0), 5)
