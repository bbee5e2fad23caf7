"""Loading and validating the per-year schedule files."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.workdays import (
    ScheduleError,
    WorkdayCalendar,
    load_packaged_schedules,
    load_schedule_file,
    parse_schedule,
    parse_schedule_text,
)

D = dt.date


def minimal(**overrides: Any) -> dict[str, Any]:
    """A small valid 2011 schedule (National Day only), with top-level keys replaced."""
    data: dict[str, Any] = {
        "year": 2011,
        "source": {
            "title": "国务院办公厅关于2011年部分节假日安排的通知",
            "number": "国办发明电〔2010〕40号",
            "dated": D(2010, 12, 9),
        },
        "holidays": [{"name": "国庆节", "start": D(2011, 10, 1), "end": D(2011, 10, 7)}],
        "workdays": [
            {"date": D(2011, 10, 8), "holiday": "国庆节"},
            {"date": D(2011, 10, 9), "holiday": "国庆节"},
        ],
    }
    data.update(overrides)
    return data


def test_every_shipped_file_is_packaged_and_valid() -> None:
    names = sorted(
        e.name for e in resources.files("bot.workdays.data").iterdir() if e.name.endswith(".yaml")
    )
    assert "cn-2011.yaml" in names
    assert "cn-2012.yaml" in names
    schedules = load_packaged_schedules()
    assert [f"cn-{s.year}.yaml" for s in schedules] == names
    for schedule in schedules:
        assert schedule.source.number
        assert schedule.source.dated.year in (schedule.year - 1, schedule.year)
    WorkdayCalendar(schedules)  # no day set by two files


def test_shipped_2011_national_day() -> None:
    (s2011,) = [s for s in load_packaged_schedules() if s.year == 2011]
    (national,) = [h for h in s2011.holidays if h.name == "国庆节"]
    assert (national.start, national.end) == (D(2011, 10, 1), D(2011, 10, 7))
    assert {w.day for w in s2011.workdays if w.holiday == "国庆节"} == {
        D(2011, 10, 8),
        D(2011, 10, 9),
    }


def test_minimal_parses() -> None:
    schedule = parse_schedule(minimal(), "test")
    assert schedule.overrides()[D(2011, 10, 3)] is False
    assert schedule.overrides()[D(2011, 10, 8)] is True
    assert "国办发明电〔2010〕40号" in schedule.citation()


def test_single_day_holiday_needs_no_end() -> None:
    schedule = parse_schedule(
        minimal(holidays=[{"name": "元旦", "start": "2011-01-01"}], workdays=[]), "test"
    )
    assert schedule.holidays[0].end == D(2011, 1, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "holidays": [{"name": "国庆节", "start": D(2012, 10, 1), "end": D(2012, 10, 7)}],
                "workdays": [],
            },
            "outside 2011",
        ),
        (
            {"workdays": [{"date": D(2012, 10, 13), "holiday": "国庆节"}]},
            "outside 2011",
        ),
        (
            {"workdays": [{"date": D(2011, 10, 1), "holiday": "国庆节"}]},
            "both a day off",
        ),
        (
            {"workdays": [{"date": D(2011, 10, 10), "holiday": "国庆节"}]},
            "Saturday or Sunday",
        ),
        (
            {"workdays": [{"date": D(2011, 10, 8), "holiday": "春节"}]},
            "not among this file's holidays",
        ),
        (
            {"holidays": [{"name": "国庆节", "start": D(2011, 10, 7), "end": D(2011, 10, 1)}]},
            "before it starts",
        ),
        ({"year": "2011"}, "expected a year"),
        ({"holidays": []}, "at least one holiday"),
        ({"extra": 1}, "unknown key"),
        ({"source": {"title": "x", "number": "y"}}, "missing key 'dated'"),
    ],
)
def test_invalid_schedules_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as excinfo:
        parse_schedule(minimal(**overrides), "cn-2011.yaml")
    assert str(excinfo.value).startswith("cn-2011.yaml: ")


def test_new_year_may_reach_into_previous_december() -> None:
    data = minimal(
        year=2012,
        holidays=[{"name": "元旦", "start": D(2012, 1, 1), "end": D(2012, 1, 3)}],
        workdays=[{"date": D(2011, 12, 31), "holiday": "元旦"}],
    )
    assert parse_schedule(data, "test").workdays[0].day == D(2011, 12, 31)
    # ...but no other holiday, and not earlier than the last week of December.
    data["workdays"] = [{"date": D(2011, 12, 17), "holiday": "元旦"}]
    with pytest.raises(ScheduleError, match="outside 2012"):
        parse_schedule(data, "test")


def test_file_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "cn-2011.yaml"
    bad.write_text(
        "year: 2011\n"
        "source: {title: t, number: n, dated: 2010-12-09}\n"
        "holidays:\n  - {name: 国庆节, start: 2011-10-01, end: 2011-10-07}\n"
        "workdays:\n  - {date: 2011-10-01, holiday: 国庆节}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScheduleError, match=r"^cn-2011\.yaml: .*both a day off"):
        load_schedule_file(bad)


def test_file_name_must_match_year(tmp_path: Path) -> None:
    path = tmp_path / "cn-2012.yaml"
    path.write_text(
        "year: 2011\n"
        "source: {title: t, number: n, dated: 2010-12-09}\n"
        "holidays:\n  - {name: 元旦, start: 2011-01-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScheduleError, match=r"^cn-2012\.yaml: file name says '2012'"):
        load_schedule_file(path)


def test_broken_yaml_names_the_file() -> None:
    with pytest.raises(ScheduleError, match=r"^cn-2099\.yaml: not valid YAML"):
        parse_schedule_text("year: [2099\n", "cn-2099.yaml")


def test_calendar_refuses_two_files_for_one_year() -> None:
    one = parse_schedule(minimal(), "a.yaml")
    two = parse_schedule(minimal(), "b.yaml")
    with pytest.raises(ScheduleError, match=r"^b\.yaml: year 2011 is already loaded from a\.yaml"):
        WorkdayCalendar([one, two])


def test_calendar_refuses_a_day_set_by_two_files() -> None:
    s2011 = parse_schedule(
        minimal(workdays=[{"date": D(2011, 12, 31), "holiday": "国庆节"}]), "cn-2011.yaml"
    )
    s2012 = parse_schedule(
        minimal(
            year=2012,
            holidays=[{"name": "元旦", "start": D(2012, 1, 1), "end": D(2012, 1, 3)}],
            workdays=[{"date": D(2011, 12, 31), "holiday": "元旦"}],
        ),
        "cn-2012.yaml",
    )
    with pytest.raises(ScheduleError, match=r"2011-12-31 is also set by cn-2011\.yaml"):
        WorkdayCalendar([s2011, s2012])


def test_explicit_data_calendar() -> None:
    cal = WorkdayCalendar([parse_schedule(minimal(), "fixture")])
    assert cal.years_covered() == [2011]
    assert cal.is_workday(D(2011, 10, 8))
    assert not cal.is_workday(D(2011, 10, 4))
    assert WorkdayCalendar().years_covered() == []
