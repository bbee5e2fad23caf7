"""The complaint as the engine reads it back from storage, and its tracking number.

`ComplaintRecord` is what `storage/complaints.py` returns: a plain record, no
session.  Its `complainant_id` stays inside the engine; everything shown to
others is built from a `ComplaintView` (screens.py), which has no such field.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from bot.access.service import CODE_ALPHABET
from bot.complaints.lifecycle import Status

TRACKING_PREFIX = "TS"


@dataclass(frozen=True)
class ComplaintRecord:
    """A complaint row; `complainant_id` stays inside the engine."""

    id: int
    tracking: str
    campaign_id: str
    unit_id: int | None
    complainant_id: int
    kind: str
    text: str
    contact: str | None
    case_class: str
    status: Status
    filed_at: dt.datetime
    due_at: dt.datetime
    due_estimated: bool
    remind_at: dt.datetime
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None
    overdue: bool
    accepted_at: dt.datetime | None
    extension_reason: str | None
    transfer_reason: str | None
    closed_at: dt.datetime | None
    verdict: str | None
    result: str | None
    rating: str | None
    review: str | None

    def __post_init__(self) -> None:
        """The stored status as the lifecycle's enum."""
        object.__setattr__(self, "status", Status(self.status))


@dataclass(frozen=True)
class Finding:
    """What a substantiated (or partly substantiated) verdict records against the unit."""

    component: str  # the deduction component it feeds
    points_x100: int


def new_tracking(year: int) -> str:
    """A tracking number such as TS11-K7F3-9QXM: short, unambiguous, not guessable."""
    tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{TRACKING_PREFIX}{year % 100:02d}-{tail[:4]}-{tail[4:]}"


def tracking_year(tracking: str) -> int:
    """The two-digit year a tracking number carries (TS11-… → 11)."""
    return int(tracking[len(TRACKING_PREFIX) : len(TRACKING_PREFIX) + 2])


def normalize_tracking(text: str) -> str:
    """A typed tracking number as stored (upper case, dashes where they belong)."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != 12:
        return raw
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
