"""What the complaint service asks the adapter to show, and to whom: data, not text.

A `ComplaintView` is a complaint as others may see it: it has no field for the
complainant's Telegram id, so no card, relay or list built from it can leak it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.campaign.schema import Campaign, CaseClass, ConductKind, Unit
from bot.complaints.flow import Attachment, Draft
from bot.complaints.lifecycle import Status
from bot.survey.screens import Notice
from bot.survey.units import UnitPage

VERDICTS = ("substantiated", "partly", "unsubstantiated")
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass(frozen=True)
class ComplaintView:
    """A complaint without its complainant's identity, or its row id: buttons name a
    complaint by its random tracking number only."""

    tracking: str
    campaign: Campaign
    unit_id: int | None
    unit: Unit | None
    kind: ConductKind | None
    text: str
    contact: str | None
    case_class: CaseClass
    status: Status
    filed_at: dt.datetime
    due_day: dt.date  # local day in the campaign's timezone
    due_estimated: bool
    overdue: bool
    verdict: str | None
    result: str | None
    rating: str | None
    review: str | None
    extension_reason: str | None
    transfer_reason: str | None
    attachments: tuple[Attachment, ...] = ()

    @property
    def open(self) -> bool:
        """Not closed yet."""
        return self.status is not Status.CLOSED


@dataclass(frozen=True)
class DraftScreen:
    """The citizen's draft on its current step."""

    draft: Draft
    campaigns: list[Campaign]  # campaigns taking complaints (for the campaign step)
    campaign: Campaign | None
    page: UnitPage | None = None  # the unit step
    unit_ids: dict[str, int] = field(default_factory=dict)
    unit: Unit | None = None
    kind: ConductKind | None = None
    limit: int = 0  # of the description
    resumed: bool = False
    no_match: bool = False


@dataclass(frozen=True)
class Filed:
    """The complaint was filed: its tracking number and due date."""

    view: ComplaintView


@dataclass(frozen=True)
class MyComplaints:
    """The citizen's own complaints."""

    views: list[ComplaintView]


@dataclass(frozen=True)
class Card:
    """A complaint card for a handler or the centre, with the actions open to them.

    `note` is a line above the card (e.g. "new complaint", "overdue", "transferred").
    """

    view: ComplaintView
    audience: str  # handler | centre | cohandler
    note: Notice | None = None


@dataclass(frozen=True)
class Relay:
    """A message relayed between citizen and handlers, identities hidden both ways."""

    view: ComplaintView
    key: str  # which relay (question, answer, info …)
    text: str
    audience: str  # citizen | handler | centre
    reply_button: bool = False  # the citizen may answer it
    unit: Unit | None = None  # the co-handling unit whose part it is (never the person)


@dataclass(frozen=True)
class ResultScreen:
    """The closed complaint's result, sent to the citizen to rate."""

    view: ComplaintView


@dataclass(frozen=True)
class Choice:
    """A card's keyboard replaced by a choice: units, case classes or verdicts."""

    view: ComplaintView
    what: str  # units | classes | verdicts | counits (co-handling units)
    page: UnitPage | None = None
    unit_ids: dict[str, int] = field(default_factory=dict)


Screen = Notice | DraftScreen | Filed | MyComplaints | Card | Relay | ResultScreen | Choice


@dataclass(frozen=True)
class Delivery:
    """A screen for someone other than the person acting (chat id), then files by file_id."""

    chat_id: int
    screen: Screen
    attachments: tuple[Attachment, ...] = ()


@dataclass
class Result:
    """The answer to the person acting, and what to send to others.

    `edit`: replace the message whose button was pressed.  `screen` None: toast only.
    """

    screen: Screen | None = None
    toast: Notice | None = None
    edit: bool = False
    also: Notice | None = None  # sent before the screen
    deliveries: list[Delivery] = field(default_factory=list)


def notice(key: str, **values: Any) -> Notice:
    """A notice with its values."""
    return Notice(key, values)
