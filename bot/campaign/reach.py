"""What a campaign file says about reaching the public beyond the questionnaire.

- `Follows`: the campaign a new round follows (回头看, Changzhou 2011 五(七)) and which
  of its units each new unit was last round, so reports can show last round's rank and
  satisfaction beside this round's;
- `ComplaintChannel` and a unit's published service time limits (Shiyan 2011 五(一):
  units make their time limits and complaint channels public), shown on the unit's page
  of the public site and in /results.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from bot.campaign.base import CampaignId, LocaleText, Slug, Strict

MAX_TIME_LIMITS = 20  # lines of published time limits per unit
MAX_LINE = 300  # characters of one line


class Follows(Strict):
    """The campaign this one follows, and last round's unit of each unit (new id → old id)."""

    campaign: CampaignId
    units: dict[Slug, Slug] = Field(min_length=1)


class ComplaintChannel(Strict):
    """Where the public complains about a unit: a phone number, an address, a web page."""

    phone: str | None = Field(default=None, pattern=r"^[0-9+() -]{3,40}$")
    address: LocaleText | None = None
    url: str | None = Field(default=None, pattern=r"^https?://[^\s<>\"']{3,300}$")

    @model_validator(mode="after")
    def _something(self) -> ComplaintChannel:
        """A channel names at least one way to complain."""
        if self.phone is None and self.address is None and self.url is None:
            raise ValueError("a complaint channel needs a phone, an address or a url")
        return self


def _line(value: Any) -> Any:
    """A bare string is the zh-Hans text (the other locales fall back to it)."""
    return {"zh-Hans": value} if isinstance(value, str) else value


class Outreach(Strict):
    """The fields a unit adds for the public: time limits and complaint channel."""

    time_limits: list[LocaleText] = Field(default_factory=list, max_length=MAX_TIME_LIMITS)
    complaint_channel: ComplaintChannel | None = None

    @field_validator("time_limits", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        """Each line given per locale, or as one zh-Hans string."""
        return [_line(v) for v in value] if isinstance(value, list) else value

    @field_validator("time_limits")
    @classmethod
    def _short(cls, lines: list[LocaleText]) -> list[LocaleText]:
        """A line of a unit's page, not a document."""
        for text in lines:
            if any(len(v) > MAX_LINE for v in text.all()):
                raise ValueError(f"a time limit line is longer than {MAX_LINE} characters")
        return lines
