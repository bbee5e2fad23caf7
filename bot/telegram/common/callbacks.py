"""Callback data: ids only, never names (64 bytes in all; a Chinese character is 3)."""

from __future__ import annotations

from bot.telegram.common.codec import CallbackData


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


class ComplaintDraftAction(CallbackData, prefix="cd"):
    """A button of the citizen's complaint draft (unit, kind, done, edit, submit …)."""

    action: str
    arg: int = 0
    campaign: str = ""


class ComplaintAction(CallbackData, prefix="ca"):
    """A button on a complaint (card, result, list): its tracking number and what to do.

    The tracking number is random: a sequential row id would tell a handler how many
    complaints the city receives and invite trying the neighbours'.
    """

    ref: str
    action: str
    arg: int = 0


# -- admin (bot/telegram/routers/admin.py) ------------------------------------------------


class BroadcastAddLocale(CallbackData, prefix="ba"):
    """Add (or replace) one locale's text of a broadcast draft."""

    draft: int
    locale: str


class BroadcastAudienceMenu(CallbackData, prefix="bm"):
    """Show the audiences a broadcast draft can go to."""

    draft: int


class BroadcastAudience(CallbackData, prefix="bu"):
    """Choose an audience (category by its index in the campaign; unit by id)."""

    draft: int
    kind: str
    campaign: str = ""
    cat: int = -1
    unit: int = 0


class BroadcastUnitSearch(CallbackData, prefix="bk"):
    """Raters or complainants of a unit: ask the admin to type the unit's name."""

    draft: int
    kind: str


class BroadcastSend(CallbackData, prefix="bs"):
    """Confirm: send the draft to the audience shown in the preview."""

    draft: int


class BroadcastCancel(CallbackData, prefix="bx"):
    """Drop a draft, or stop a running broadcast."""

    job: int


class PhaseChange(CallbackData, prefix="ph"):
    """Open, close or reset a phase (by its index in the campaign)."""

    campaign: str
    phase: int
    action: str


class PublishConfirm(CallbackData, prefix="pb"):
    """Confirm (or cancel) a /publish: the id of its stored request, never the reason."""

    request: int
    go: bool


class ResultsPage(CallbackData, prefix="rs"):
    """A page of /results: the publication's id, the kind's index, the page."""

    pub: int
    kind: int = 0
    page: int = 0


# -- rectification (bot/telegram/routers/rectify.py) --------------------------------------


class FollowUnit(CallbackData, prefix="fu"):
    """ "Follow this unit" after a rating: hear of its rectification."""

    unit: int


class PlanAction(CallbackData, prefix="rp"):
    """A plan's button: submit (its handlers) or approve (evaluators)."""

    plan: int
    action: str


class RateRectification(CallbackData, prefix="rr"):
    """The one verdict on a completed plan: the level's index."""

    plan: int
    level: int


class ResultsUnit(CallbackData, prefix="ru"):
    """One unit of /results (its id in the publication), with the page to go back to."""

    pub: int
    unit: int
    kind: int = 0
    page: int = 0
