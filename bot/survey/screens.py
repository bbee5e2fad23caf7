"""What the survey service asks the adapter to show: data, not text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.campaign.schema import Campaign, Component, Phase, Unit
from bot.survey.units import UnitPage
from storage.records import DraftRecord


@dataclass(frozen=True)
class Notice:
    """A plain message: a translation key and its values."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignChoice:
    """Several questionnaires are open: pick one (campaign × component)."""

    options: list[tuple[Campaign, Component]]


@dataclass(frozen=True)
class UnitChoice:
    """Pick the unit to rate."""

    campaign: Campaign
    component: Component
    page: UnitPage
    unit_ids: dict[str, int]  # unit code → database id, for the buttons
    rated: frozenset[int]  # units already rated for this component
    no_match: bool = False  # the typed query matched nothing: all units are shown
    query: str | None = None  # what was typed


@dataclass(frozen=True)
class Question:
    """The draft's current screen: an item, the suggestion, or the review."""

    campaign: Campaign
    component: Component
    unit: Unit
    unit_id: int
    draft: DraftRecord
    screen: str  # "item" | "suggestion" | "review"
    resumed: bool = False


@dataclass(frozen=True)
class Thanks:
    """The questionnaire was submitted."""

    campaign: Campaign
    component: Component
    unit: Unit
    unit_id: int = 0  # for "follow this unit" (its rectification; 0: no such button)


@dataclass(frozen=True)
class Reply:
    """A screen to show, and optionally a short toast for a button press.

    `edit` means the adapter should replace the message whose button was
    pressed; otherwise it sends a new message.  `screen` None: toast only.
    """

    screen: Notice | CampaignChoice | UnitChoice | Question | Thanks | None
    toast: Notice | None = None
    edit: bool = True
    also: Notice | None = None  # a notice sent before the screen (e.g. "too long")


class PhaseProvider(Protocol):
    """Effective phase dates (an admin may have opened, closed or extended a phase)."""

    def phase(self, campaign: Campaign, phase_id: str) -> Phase:
        """The phase with the dates the bot obeys."""
        ...


def closed_notice(
    component: Component, campaign: Campaign, today: dt.date, phases: PhaseProvider | None = None
) -> Notice | None:
    """A notice if the component is not open today, else None (`phases`: admin overrides)."""
    if component.phase is None:
        return Notice("survey.not_a_survey")
    phase = phases.phase(campaign, component.phase) if phases else campaign.phase(component.phase)
    if today < phase.start:
        return Notice("survey.opens_on", {"date": phase.start, "campaign": campaign})
    if today > phase.end:
        return Notice("survey.closed_on", {"date": phase.end, "campaign": campaign})
    return None
