"""BULLETIN_SCHEDULE: what it accepts, and which slot is due at a given time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.app.config import ConfigError, Settings, load_settings
from bot.bulletin.schedule import Schedule, ScheduleError, slot_key

TZ = "Asia/Shanghai"
CN = ZoneInfo(TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 8) -> dt.datetime:
    """A local time in August 2011 (1 August 2011 was a Monday)."""
    return dt.datetime(2011, month, day, hour, minute, tzinfo=CN)


def test_weekly_by_default_monday_nine() -> None:
    weekly = Schedule.parse(Settings().bulletin_schedule)
    assert weekly == Schedule("mon", dt.time(9, 0))
    assert weekly.latest_slot(at(1, 8, 59), TZ) == at(25, 9, month=7)  # the Monday before
    assert weekly.latest_slot(at(1, 9), TZ) == at(1, 9)
    assert weekly.latest_slot(at(7, 23, 59), TZ) == at(1, 9)
    assert slot_key(at(1, 9)) == "2011-08-01T09:00"


def test_daily_monthly_and_off() -> None:
    assert Schedule.parse("daily 18:30").latest_slot(at(3, 18, 29), TZ) == at(2, 18, 30)
    monthly = Schedule.parse("Monthly  1 08:00")
    assert monthly.latest_slot(at(31, 23), TZ) == at(1, 8)
    assert monthly.latest_slot(at(1, 7), TZ) == at(1, 8, month=7)
    off = Schedule.parse("off")
    assert not off.enabled and off.latest_slot(at(1, 9), TZ) is None
    # A UTC instant is read in the campaign's zone: 01:00 UTC is 09:00 in China.
    utc = dt.datetime(2011, 8, 1, 1, 0, tzinfo=dt.UTC)
    assert Schedule.parse("mon 09:00").latest_slot(utc, TZ) == at(1, 9)


@pytest.mark.parametrize(
    "text", ["weekly", "mon 25:00", "monthly 31 09:00", "sunday 9:00", "mon 9", ""]
)
def test_malformed_schedules_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        Schedule.parse(text)


def test_a_bad_setting_stops_start_up_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SCHEDULE", "every tuesday")
    with pytest.raises(ConfigError, match="BULLETIN_SCHEDULE"):
        load_settings()
