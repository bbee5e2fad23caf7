"""Plain records that repositories return: no session, no lazy loading.

Types both storage/ and the engine speak live here (and in storage/complaint_records.py):
storage/ imports nothing from bot/, the engine imports them from storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# No 0/O, 1/I/L: codes and tracking numbers are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Role(StrEnum):
    """Privileged roles (the values are what the `grants.role` column stores)."""

    ADMIN = "admin"
    EVALUATOR = "evaluator"
    HANDLER = "handler"
    INSPECTOR = "inspector"  # 明查暗访: records findings against units


@dataclass(frozen=True)
class RespondentRecord:
    """A person as the bot knows them."""

    id: int  # the Telegram user id
    locale: str
    locale_chosen: bool
    first_seen: dt.datetime
    last_seen: dt.datetime
    active: bool = True


@dataclass(frozen=True)
class DraftRecord:
    """A questionnaire about one unit for one component, draft or submitted.

    `position` walks the items (0 … n-1), then n is the suggestion step and
    n + 1 the review screen.
    """

    respondent_id: int
    campaign_id: str
    unit_id: int
    component: str
    category: str
    status: str = "draft"
    position: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    suggestion: str | None = None
    started_at: dt.datetime | None = None
    entry: str = "list"  # how it was opened: "poster" (a unit's deep link) or "list"

    @property
    def submitted(self) -> bool:
        """True once the questionnaire was submitted."""
        return self.status == "submitted"


@dataclass(frozen=True)
class ConversationRecord:
    """Where a person is: which flow, which step, and the step's data."""

    respondent_id: int
    flow: str = "idle"
    step: str = "idle"
    data: dict[str, Any] = field(default_factory=dict)
