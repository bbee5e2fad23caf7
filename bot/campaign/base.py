"""The ground every campaign model stands on: strict models, ids, texts in three locales."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

LOCALES: tuple[str, ...] = ("zh-Hans", "en", "zh-Hant")
DEFAULT_LOCALE = "zh-Hans"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
# Campaign and component ids travel inside Telegram callback data (64 bytes in
# all), so they are kept short: 24 + 16 characters leave room for the rest.
CampaignId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,23}$")]
ComponentId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,15}$")]


class Strict(BaseModel):
    """Base for every campaign model: unknown keys are an error, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocaleText(Strict):
    """A text in each locale.  zh-Hans is required; others fall back to it."""

    zh_Hans: str = Field(alias="zh-Hans", min_length=1)
    en: str | None = None
    zh_Hant: str | None = Field(default=None, alias="zh-Hant")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def get(self, locale: str) -> str:
        """Return the text for `locale`, falling back to zh-Hans."""
        if locale == "en" and self.en:
            return self.en
        if locale == "zh-Hant" and self.zh_Hant:
            return self.zh_Hant
        return self.zh_Hans

    def all(self) -> list[str]:
        """Every non-empty variant, for name search across locales."""
        return [t for t in (self.zh_Hans, self.en, self.zh_Hant) if t]


def require_unique(ids: list[str], what: str) -> None:
    """Refuse a list of ids with a duplicate (naming `what` and the id)."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"duplicate {what} id {ident!r}")
        seen.add(ident)
