"""The questionnaire flow, as pure functions on a `DraftRecord`.

::

    pick unit ──► item 1 ──► item 2 ──► … ──► item n ──► suggestion ──► review ──► submitted
                    ▲  "back" ◄──┘                        (skip) ─┘      │ "edit k"
                    └──────────────────── item k ◄────────────────────────┘
                                          (then straight back to review)

Positions: 0 … n-1 are the items, n is the suggestion (skipped when the campaign
has none), n + 1 is the review.  Every function returns a new draft and what
happened, so the caller can store exactly what changed and say the right thing.
A tap on a button of an older message is judged against the stored draft, never
against the message: it either applies to its own item or is reported stale.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from bot.campaign.schema import Level, Questionnaire
from bot.core.text import visible_text
from storage.records import DraftRecord

LEVELS: tuple[Level, ...] = tuple(Level)


class Outcome(StrEnum):
    """What an event did to the draft."""

    ADVANCED = "advanced"  # answer recorded, moved on to the next screen
    CHANGED = "changed"  # an earlier item's answer was changed, position kept
    UNCHANGED = "unchanged"  # the same answer again (a double tap): nothing to do
    STALE = "stale"  # the button no longer applies (e.g. a future item)
    ALREADY_SUBMITTED = "already_submitted"
    TOO_LONG = "too_long"
    INVISIBLE = "invisible"  # typed text with nothing visible in it
    MOVED = "moved"  # position changed without an answer (back, edit, skip)


@dataclass(frozen=True)
class Step:
    """The result of one event."""

    outcome: Outcome
    draft: DraftRecord
    item: str | None = None  # the item an answer was stored for


def suggestion_position(q: Questionnaire) -> int:
    """Position of the suggestion step."""
    return len(q.items)


def review_position(q: Questionnaire) -> int:
    """Position of the review screen."""
    return len(q.items) + 1


def screen_of(draft: DraftRecord, q: Questionnaire) -> str:
    """Which screen the draft is on: "item", "suggestion" or "review"."""
    if draft.position < len(q.items):
        return "item"
    if draft.position == suggestion_position(q) and q.suggestion is not None:
        return "suggestion"
    return "review"


def _after_item(draft: DraftRecord, q: Questionnaire, editing: bool) -> int:
    if editing:
        return review_position(q)
    nxt = draft.position + 1
    if nxt == suggestion_position(q) and q.suggestion is None:
        return review_position(q)
    return nxt


def answer(
    draft: DraftRecord, q: Questionnaire, item_index: int, level: Level, *, editing: bool = False
) -> Step:
    """Apply a tap on `level` for item `item_index`."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    if not 0 <= item_index < len(q.items):
        return Step(Outcome.STALE, draft)
    item = q.items[item_index].id
    answers = {**draft.answers, item: level.value}
    if item_index == draft.position:
        moved = dataclasses.replace(draft, answers=answers, position=_after_item(draft, q, editing))
        return Step(Outcome.ADVANCED, moved, item)
    if item not in draft.answers:
        return Step(Outcome.STALE, draft)  # a future item: its question was never shown
    if draft.answers[item] == level.value:
        return Step(Outcome.UNCHANGED, draft, item)
    return Step(Outcome.CHANGED, dataclasses.replace(draft, answers=answers), item)


def back(draft: DraftRecord, q: Questionnaire) -> Step:
    """Go back one screen (from the first item: stay)."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    position = draft.position - 1
    if position == suggestion_position(q) and q.suggestion is None:
        position -= 1
    return Step(Outcome.MOVED, dataclasses.replace(draft, position=max(position, 0)))


def edit(draft: DraftRecord, q: Questionnaire, item_index: int) -> Step:
    """Jump from the review to an item (or, with index n, to the suggestion)."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    if not 0 <= item_index <= len(q.items) or screen_of(draft, q) != "review":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, position=item_index))


def suggest(draft: DraftRecord, q: Questionnaire, text: str) -> Step:
    """Take the free-text suggestion; longer than the limit, or with nothing visible in
    it, is refused, not cut (skipping is a button)."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    if q.suggestion is None or screen_of(draft, q) != "suggestion":
        return Step(Outcome.STALE, draft)
    if len(text) > q.suggestion.max_length:
        return Step(Outcome.TOO_LONG, draft)
    cleaned = visible_text(text)
    if cleaned is None:
        return Step(Outcome.INVISIBLE, draft)
    moved = dataclasses.replace(draft, suggestion=cleaned, position=review_position(q))
    return Step(Outcome.ADVANCED, moved)


def skip_suggestion(draft: DraftRecord, q: Questionnaire) -> Step:
    """Go on to the review without a suggestion (an earlier one is kept)."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    if screen_of(draft, q) != "suggestion":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, position=review_position(q)))


def submit(draft: DraftRecord, q: Questionnaire) -> Step:
    """Submit from the review screen once every item is answered."""
    if draft.submitted:
        return Step(Outcome.ALREADY_SUBMITTED, draft)
    if screen_of(draft, q) != "review" or any(i.id not in draft.answers for i in q.items):
        return Step(Outcome.STALE, draft)
    return Step(Outcome.ADVANCED, dataclasses.replace(draft, status="submitted"))
