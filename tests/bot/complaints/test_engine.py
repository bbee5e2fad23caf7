"""The complaint engine without Telegram: the draft flow, deadlines, the due-notice index."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from bot.complaints import flow
from bot.complaints.deadlines import deadline
from bot.complaints.flow import Draft, Outcome
from bot.complaints.records import new_tracking, normalize_tracking
from bot.workdays import WorkdayCalendar
from storage.complaints import due_query
from storage.models import Base

CHINA = ZoneInfo("Asia/Shanghai")
CAL = WorkdayCalendar.default()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`hour` o'clock China time on `day`."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


# -- deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed", "days", "due"),
    [
        (dt.date(2011, 8, 1), 5, dt.date(2011, 8, 8)),  # Monday → next Monday
        (dt.date(2011, 8, 5), 1, dt.date(2011, 8, 8)),  # Friday: the weekend does not count
        (dt.date(2011, 8, 6), 1, dt.date(2011, 8, 8)),  # filed on Saturday
        # National Day 2011: 1–7 October off, Saturday 8 and Sunday 9 October worked (调休).
        (dt.date(2011, 9, 30), 1, dt.date(2011, 10, 8)),
        (dt.date(2011, 9, 30), 2, dt.date(2011, 10, 9)),
        (dt.date(2011, 9, 30), 5, dt.date(2011, 10, 12)),
        (dt.date(2011, 9, 29), 10, dt.date(2011, 10, 18)),  # 9-30, 10-8 … 10-14, 10-17, 10-18
        # Year boundary: Saturday 31 Dec 2011 worked, 1–3 Jan 2012 off.
        (dt.date(2011, 12, 29), 2, dt.date(2011, 12, 31)),
        (dt.date(2011, 12, 29), 3, dt.date(2012, 1, 4)),
    ],
)
def test_working_day_deadlines(filed: dt.date, days: int, due: dt.date) -> None:
    result = deadline(CAL, at(filed), days, "Asia/Shanghai", "TS11-TEST-0001")
    assert result.due_at == dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=CHINA)
    assert not result.estimated


def test_reminder_is_on_the_working_day_before() -> None:
    # Due Wednesday 12 Oct 2011; the working day before is Tuesday 11 Oct.
    result = deadline(CAL, at(dt.date(2011, 9, 30)), 5, "Asia/Shanghai")
    assert result.remind_at == at(dt.date(2011, 10, 11), 9)
    # Due Monday 10 Oct after the make-up Sunday: reminded on Sunday 9 Oct (a working day).
    monday = deadline(CAL, at(dt.date(2011, 9, 30)), 3, "Asia/Shanghai")
    assert monday.due_at.date() == dt.date(2011, 10, 10)
    assert monday.remind_at == at(dt.date(2011, 10, 9), 9)
    # A one-day case is never reminded before it was filed.
    quick = deadline(CAL, at(dt.date(2011, 8, 1), 15), 1, "Asia/Shanghai")
    assert quick.remind_at == at(dt.date(2011, 8, 1), 15)


def test_a_year_without_a_schedule_is_estimated_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = max(CAL.years_covered()) + 5
    friday = dt.date(missing, 1, 1)
    while friday.weekday() != 4:
        friday += dt.timedelta(days=1)
    result = deadline(CAL, at(friday), 1, "Asia/Shanghai", "TS99-ABCD-EFGH")
    assert result.estimated and missing in result.missing_years
    assert result.due_at.date() == friday + dt.timedelta(days=3)  # weekends only
    assert "TS99-ABCD-EFGH" in caplog.text and "estimated" in caplog.text


# -- the draft -------------------------------------------------------------------------------


def test_the_draft_walks_its_steps_and_returns_to_review() -> None:
    d = flow.start(["c"])
    assert d.step == "unit"
    d = flow.choose_unit(d, 7, {7, 8}).draft
    d = flow.choose_kind(d, "delay", ["delay", "other"]).draft
    d = flow.describe(d, "  拖了三个月  ", 100).draft
    assert (d.step, d.text) == ("evidence", "拖了三个月")
    d = flow.attach(d, "photo", "F1").draft
    d = flow.evidence_done(d).draft
    d = flow.stay_anonymous(d).draft
    assert d.step == "review" and flow.ready(d)
    d = flow.edit(d, "kind").draft
    d = flow.choose_kind(d, "other", ["delay", "other"]).draft
    assert (d.step, d.kind, d.editing) == ("review", "other", False)
    assert Draft.from_json(d.to_json()) == d


def test_bad_input_keeps_the_draft() -> None:
    d = Draft(campaign_id="c", step="unit")
    assert flow.choose_unit(d, 99, {7}).outcome is Outcome.FOREIGN_UNIT
    d = Draft(campaign_id="c", step="text", unit_chosen=True, kind="delay")
    step = flow.describe(d, "字" * 101, 100)
    assert (step.outcome, step.draft, step.values["length"]) == (Outcome.TOO_LONG, d, 101)
    d = Draft(campaign_id="c", step="evidence")
    assert flow.attach(d, "document", "F", "application/zip").outcome is Outcome.UNSUPPORTED
    assert flow.attach(d, "document", "F", "application/pdf").outcome is Outcome.MOVED
    for n in range(flow.MAX_ATTACHMENTS):
        d = flow.attach(d, "photo", f"F{n}").draft
    assert flow.attach(d, "photo", "one more").outcome is Outcome.TOO_MANY
    assert len(d.attachments) == flow.MAX_ATTACHMENTS
    assert flow.submit(Draft(step="review")).outcome is Outcome.INCOMPLETE


def test_tracking_numbers_are_short_and_not_sequential() -> None:
    numbers = {new_tracking(2011) for _ in range(200)}
    assert len(numbers) == 200
    assert all(len(n) == 14 and n.startswith("TS11-") for n in numbers)
    assert not set("01IOL") & set("".join(n[5:] for n in numbers))
    assert normalize_tracking("ts11 k7f3 9qxm") == "TS11-K7F3-9QXM"


# -- the reminder task reads through an index -------------------------------------------------


@pytest.mark.parametrize(
    ("column", "index"),
    [("due_at", "ix_complaints_status_due"), ("remind_at", "ix_complaints_status_remind")],
)
def test_due_notices_are_found_through_an_index(column: str, index: str) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    query = due_query(at(dt.date(2011, 8, 9)), column, 100)
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
    assert index in plan, plan
    assert "SCAN complaints" not in plan.replace(f"USING INDEX {index}", "")
