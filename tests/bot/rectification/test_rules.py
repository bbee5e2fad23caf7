"""The rules of a rectification plan (bot/rectification/rules.py), one by one."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.rectification.rules import (
    MAX_MEASURES,
    TRANSITIONS,
    Deadline,
    Measure,
    Plan,
    PlanStatus,
    RectifyError,
    Verdict,
    check_editable,
    is_completed,
    is_overdue,
    measure_index,
    next_status,
    parse_deadline,
    parse_measure,
    parse_verdict,
    progress,
    submit_problems,
    with_measures,
)
from bot.workdays.calendar import WorkdayCalendar

CAL = WorkdayCalendar.default()
TODAY = dt.date(2026, 9, 25)  # a Friday; 2026-10-01..07 is the National Day holiday
S = PlanStatus


def plan(status: PlanStatus = S.DRAFT, *measures: Measure, suggestions: int = 0) -> Plan:
    return Plan(1, "c", 7, status, tuple(measures), suggestions)


READY = Measure("queue too long", "open a second window", Deadline(dt.date(2026, 10, 30)))


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (S.DRAFT, "submit", S.SUBMITTED),
        (S.RETURNED, "submit", S.SUBMITTED),
        (S.SUBMITTED, "approve", S.APPROVED),
        (S.SUBMITTED, "return", S.RETURNED),
        (S.APPROVED, "complete", S.COMPLETED),
    ],
)
def test_allowed_moves(status: PlanStatus, action: str, after: PlanStatus) -> None:
    assert next_status(status, action) is after


def test_every_other_move_is_refused() -> None:
    for status in S:
        for action in ("submit", "approve", "return", "complete"):
            if (action, status) in TRANSITIONS:
                continue
            with pytest.raises(RectifyError) as refused:
                next_status(status, action)
            assert refused.value.key == "transition"


@pytest.mark.parametrize(
    ("status", "editable"),
    [
        (S.DRAFT, True),
        (S.RETURNED, True),
        (S.SUBMITTED, False),
        (S.APPROVED, False),
        (S.COMPLETED, False),
    ],
)
def test_only_draft_and_returned_plans_change(status: PlanStatus, editable: bool) -> None:
    if editable:
        check_editable(plan(status))
    else:
        with pytest.raises(RectifyError, match="not_editable"):
            check_editable(plan(status))


@pytest.mark.parametrize(
    ("text", "day", "working_days"),
    [
        ("2026-12-31", dt.date(2026, 12, 31), None),
        ("2026-9-26", dt.date(2026, 9, 26), None),
        ("1", dt.date(2026, 9, 28), 1),  # Friday + 1 working day: Monday
        ("3wd", dt.date(2026, 9, 30), 3),
        # 9-28 (Mon) … 9-30, then the National Day holiday to 10-07
        ("4个工作日", dt.date(2026, 10, 8), 4),
        ("15 工作日", None, 15),
    ],
)
def test_deadlines(text: str, day: dt.date | None, working_days: int | None) -> None:
    found = parse_deadline(text, TODAY, CAL)
    assert found.working_days == working_days
    if day is not None:
        assert found.day == day
    else:
        assert found.day == CAL.add_workdays(TODAY, 15).day


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026-09-25", "deadline_past"),
        ("2025-01-01", "deadline_past"),
        ("2026-02-30", "deadline"),
        ("0", "deadline"),
        ("251", "deadline"),
        ("soon", "deadline"),
        ("", "deadline"),
    ],
)
def test_bad_deadlines(text: str, key: str) -> None:
    with pytest.raises(RectifyError) as refused:
        parse_deadline(text, TODAY, CAL)
    assert refused.value.key == key


def test_a_measure_line_and_a_partial_edit() -> None:
    new = parse_measure(" long queues ｜ second window | 2026-10-30 ", TODAY, CAL)
    assert new == Measure("long queues", "second window", Deadline(dt.date(2026, 10, 30)))
    edited = parse_measure(" | two more windows | ", TODAY, CAL, new)
    assert edited == Measure("long queues", "two more windows", Deadline(dt.date(2026, 10, 30)))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("only two | parts", "measure_format"),
        ("a | b | c | d", "measure_format"),
        ("\u200b | measure | 5", "problem"),
        ("problem |   | 5", "measure"),
        ("problem | measure | tomorrow", "deadline"),
    ],
)
def test_bad_measure_lines(text: str, key: str) -> None:
    with pytest.raises(RectifyError) as refused:
        parse_measure(text, TODAY, CAL)
    assert refused.value.key == key


def test_long_texts_are_cut() -> None:
    found = parse_measure("p" * 900 + " | m | 5", TODAY, CAL)
    assert len(found.problem) == 500


@pytest.mark.parametrize(
    ("words", "verdict"),
    [
        (["adopted", "we", "did"], Verdict.ADOPTED),
        (["部分采纳", "部分可行"], Verdict.PARTLY),
        (["未採納", "超出职权"], Verdict.NOT_ADOPTED),
        (["NOT", "out", "of", "scope"], Verdict.NOT_ADOPTED),
    ],
)
def test_verdicts(words: list[str], verdict: Verdict) -> None:
    assert parse_verdict(words)[0] is verdict


@pytest.mark.parametrize(
    ("words", "key"), [([], "verdict"), (["maybe", "x"], "verdict"), (["adopted"], "reason")]
)
def test_bad_verdicts(words: list[str], key: str) -> None:
    with pytest.raises(RectifyError) as refused:
        parse_verdict(words)
    assert refused.value.key == key


@pytest.mark.parametrize(
    ("item", "problems"),
    [
        (plan(S.DRAFT), ["no_measures"]),
        (plan(S.DRAFT, Measure("only the problem")), ["incomplete"]),
        (plan(S.DRAFT, READY), []),
        (plan(S.DRAFT, READY, suggestions=3), ["unanswered"]),
        (plan(S.DRAFT, suggestions=3), ["no_measures", "unanswered"]),
    ],
)
def test_what_a_submission_needs(item: Plan, problems: list[str]) -> None:
    assert submit_problems(item) == problems


def test_an_answered_plan_may_be_submitted() -> None:
    answered = Plan(1, "c", 7, S.DRAFT, (READY,), 3, Verdict.PARTLY, "some")
    assert submit_problems(answered) == []


def test_measure_numbers() -> None:
    item = plan(S.DRAFT, READY, READY)
    assert measure_index(item, "2") == 1
    for bad in ("0", "3", "x", "-1", ""):
        with pytest.raises(RectifyError, match="measure_number"):
            measure_index(item, bad)


def test_at_most_max_measures() -> None:
    with_measures(plan(), [READY] * MAX_MEASURES)
    with pytest.raises(RectifyError, match="too_many"):
        with_measures(plan(), [READY] * (MAX_MEASURES + 1))


DUE = dt.date(2026, 10, 30)


@pytest.mark.parametrize(
    ("status", "done_on", "today", "late"),
    [
        (S.APPROVED, None, DUE, False),  # due today: not late yet
        (S.APPROVED, None, DUE + dt.timedelta(days=1), True),
        (S.APPROVED, DUE, DUE + dt.timedelta(days=9), False),  # done
        (S.SUBMITTED, None, DUE + dt.timedelta(days=1), False),  # not promised yet
        (S.COMPLETED, None, DUE + dt.timedelta(days=1), False),
    ],
)
def test_the_overdue_rule(
    status: PlanStatus, done_on: dt.date | None, today: dt.date, late: bool
) -> None:
    m = Measure("p", "m", Deadline(DUE), done_on)
    assert is_overdue(m, status, today) is late


def test_completion_and_progress() -> None:
    done = Measure("p", "m", Deadline(DUE), DUE, "done")
    early = Measure("p", "m", Deadline(DUE + dt.timedelta(days=30)))
    late = Measure("p", "m", Deadline(DUE - dt.timedelta(days=1)))
    assert not is_completed([])
    assert not is_completed([done, early])
    assert is_completed([done, done])
    found = progress(plan(S.APPROVED, done, early, late), DUE)
    assert (found.total, found.done, found.overdue, found.open) == (3, 1, 1, 1)
