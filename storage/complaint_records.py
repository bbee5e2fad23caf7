"""The complaint as storage returns it, its status and its tracking number.

`ComplaintRecord` is what `storage/complaints.py` returns: a plain record, no
session.  Its `complainant_id` stays inside the engine; everything shown to
others is built from a `ComplaintView` (bot/complaints/screens.py), which has no
such field.  The engine's lifecycle (bot/complaints/lifecycle.py) decides the moves
between statuses; this module only names them, so storage need not import the engine.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from storage.records import CODE_ALPHABET

TRACKING_PREFIX = "TS"


class Status(StrEnum):
    """Where a complaint is; the values are what the `complaints.status` column stores."""

    DRAFT = "draft"  # being written by the citizen: not stored as a complaint
    TRIAGE = "triage"  # with the complaint centre
    OPEN = "open"  # with a unit's handlers, not yet accepted
    ACCEPTED = "accepted"
    CLOSED = "closed"


ACTIVE = (Status.TRIAGE, Status.OPEN, Status.ACCEPTED)
WITH_UNIT = (Status.OPEN, Status.ACCEPTED)


@dataclass(frozen=True)
class Attachment:
    """A photo or document the citizen sent, kept by Telegram file_id."""

    kind: str  # photo | document
    file_id: str


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
