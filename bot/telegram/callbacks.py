"""Callback data: ids only, never names (64 bytes in all; a Chinese character is 3)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class PickCampaign(CallbackData, prefix="sc"):
    """Choose a campaign's survey component."""

    campaign: str
    comp: str


class UnitsPage(CallbackData, prefix="sp"):
    """Turn a page of the unit picker."""

    campaign: str
    comp: str
    page: int


class PickUnit(CallbackData, prefix="su"):
    """Choose the unit to rate."""

    unit: int
    comp: str


class AnswerItem(CallbackData, prefix="sa"):
    """One of the five levels for one item."""

    unit: int
    comp: str
    item: int
    level: int


class Navigate(CallbackData, prefix="sn"):
    """back / skip / submit / edit (with the item index) inside a questionnaire."""

    unit: int
    comp: str
    action: str
    index: int = 0


class StartSurvey(CallbackData, prefix="go"):
    """ "Start rating" from the greeting, or "rate another unit" after a submission."""

    campaign: str = ""
    comp: str = ""


class ChooseLanguage(CallbackData, prefix="lg"):
    """A locale from /language."""

    locale: str
