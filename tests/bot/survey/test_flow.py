"""The questionnaire flow, without Telegram or a database."""

from __future__ import annotations

import pytest

from bot.campaign.schema import Item, Level, LocaleText, Questionnaire, Suggestion
from bot.survey import flow
from bot.survey.flow import Outcome
from storage.records import DraftRecord

V, F, B, D, K = (
    Level.VERY_SATISFIED,
    Level.FAIRLY_SATISFIED,
    Level.BASICALLY_SATISFIED,
    Level.DISSATISFIED,
    Level.DONT_KNOW,
)


def _q(n: int = 3, suggestion: bool = True) -> Questionnaire:
    items = [Item(id=f"i{k}", text=LocaleText(**{"zh-Hans": f"第{k}项"})) for k in range(n)]
    prompt = Suggestion(prompt=LocaleText(**{"zh-Hans": "意见"}), max_length=10)
    return Questionnaire(items=items, suggestion=prompt if suggestion else None)


def _draft(**kw: object) -> DraftRecord:
    return DraftRecord(1, "c", 7, "questionnaire", "public", **kw)  # type: ignore[arg-type]


def test_answers_walk_items_then_suggestion_then_review() -> None:
    q, d = _q(), _draft()
    for k, level in enumerate([V, F, K]):
        step = flow.answer(d, q, k, level)
        assert step.outcome is Outcome.ADVANCED and step.item == f"i{k}"
        d = step.draft
    assert d.answers == {"i0": "very_satisfied", "i1": "fairly_satisfied", "i2": "dont_know"}
    assert flow.screen_of(d, q) == "suggestion"
    d = flow.suggest(d, q, "  好 ").draft
    assert d.suggestion == "好" and flow.screen_of(d, q) == "review"


def test_without_suggestion_the_last_item_leads_to_review_and_back_skips_it() -> None:
    q = _q(2, suggestion=False)
    d = flow.answer(flow.answer(_draft(), q, 0, V).draft, q, 1, D).draft
    assert flow.screen_of(d, q) == "review"
    assert flow.back(d, q).draft.position == 1


def test_double_tap_records_once_and_does_not_advance_twice() -> None:
    q = _q()
    first = flow.answer(_draft(), q, 0, V)
    second = flow.answer(first.draft, q, 0, V)
    assert second.outcome is Outcome.UNCHANGED
    assert second.draft is first.draft and second.draft.position == 1


def test_older_message_changes_its_own_item_and_keeps_position() -> None:
    q = _q()
    d = flow.answer(flow.answer(_draft(), q, 0, V).draft, q, 1, V).draft
    step = flow.answer(d, q, 0, D)
    assert step.outcome is Outcome.CHANGED
    assert step.draft.answers["i0"] == "dissatisfied" and step.draft.position == 2


def test_a_button_for_an_item_never_shown_is_stale() -> None:
    q = _q()
    step = flow.answer(_draft(), q, 2, V)
    assert step.outcome is Outcome.STALE and step.draft.answers == {}
    assert flow.answer(_draft(), q, 9, V).outcome is Outcome.STALE


def test_editing_from_review_returns_to_review() -> None:
    q = _q()
    d = _draft(
        position=4, answers={"i0": "very_satisfied", "i1": "very_satisfied", "i2": "very_satisfied"}
    )
    d = flow.edit(d, q, 1).draft
    assert d.position == 1
    step = flow.answer(d, q, 1, B, editing=True)
    assert step.draft.position == 4 and step.draft.answers["i1"] == "basically_satisfied"


def test_edit_only_from_review() -> None:
    assert flow.edit(_draft(), _q(), 0).outcome is Outcome.STALE


def test_too_long_suggestion_is_refused_not_cut() -> None:
    q = _q()
    d = _draft(position=3, answers={f"i{k}": "very_satisfied" for k in range(3)})
    step = flow.suggest(d, q, "长" * 11)
    assert step.outcome is Outcome.TOO_LONG and step.draft.suggestion is None
    assert flow.suggest(d, q, "长" * 10).draft.suggestion == "长" * 10


def test_skip_keeps_an_earlier_suggestion() -> None:
    q = _q()
    d = _draft(position=3, suggestion="旧", answers={f"i{k}": "dont_know" for k in range(3)})
    step = flow.skip_suggestion(d, q)
    assert step.draft.suggestion == "旧" and flow.screen_of(step.draft, q) == "review"


def test_submit_needs_review_and_every_item() -> None:
    q = _q()
    assert flow.submit(_draft(), q).outcome is Outcome.STALE
    full = _draft(position=4, answers={f"i{k}": "fairly_satisfied" for k in range(3)})
    done = flow.submit(full, q)
    assert done.outcome is Outcome.ADVANCED and done.draft.submitted


@pytest.mark.parametrize(
    "event",
    [
        lambda d, q: flow.answer(d, q, 0, V),
        lambda d, q: flow.back(d, q),
        lambda d, q: flow.edit(d, q, 0),
        lambda d, q: flow.suggest(d, q, "x"),
        lambda d, q: flow.skip_suggestion(d, q),
        lambda d, q: flow.submit(d, q),
    ],
)
def test_nothing_changes_a_submitted_questionnaire(event: object) -> None:
    d = _draft(status="submitted", position=4, answers={"i0": "very_satisfied"})
    step = event(d, _q())  # type: ignore[operator]
    assert step.outcome is Outcome.ALREADY_SUBMITTED and step.draft is d


def test_back_from_first_item_stays() -> None:
    assert flow.back(_draft(), _q()).draft.position == 0
