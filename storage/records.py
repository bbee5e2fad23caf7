"""Plain records that repositories return: no session, no lazy loading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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
