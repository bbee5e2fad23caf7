"""The one place that builds keyboards.

Keyboards are built directly as markup (aiogram's builder deep-copies on every
export) and the questionnaire's are cached by their inputs: the same item in
the same state for the same locale always shows the same buttons.
"""

from __future__ import annotations

from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaign.schema import Campaign, Component
from bot.i18n import LOCALES, t
from bot.survey.flow import LEVELS
from bot.survey.screens import Question, UnitChoice
from bot.telegram.callbacks import (
    AnswerItem,
    ChooseLanguage,
    Navigate,
    PickCampaign,
    PickUnit,
    StartSurvey,
    UnitsPage,
)

Rows = list[list[InlineKeyboardButton]]


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _chunks(buttons: list[InlineKeyboardButton], size: int) -> Rows:
    return [buttons[i : i + size] for i in range(0, len(buttons), size)]


def levels(question: Question, locale: str) -> InlineKeyboardMarkup:
    """The five levels (the chosen one marked), then "back" unless on the first item."""
    index = question.draft.position
    item = question.campaign.questionnaire.items[index]
    chosen = question.draft.answers.get(item.id)
    return _levels(question.unit_id, question.component.id, index, chosen, locale)


@lru_cache(maxsize=4096)
def _levels(
    unit: int, comp: str, index: int, chosen: str | None, locale: str
) -> InlineKeyboardMarkup:
    buttons = [
        _button(
            ("● " if chosen == level.value else "") + t(locale, f"level.{level.value}"),
            AnswerItem(unit=unit, comp=comp, item=index, level=n),
        )
        for n, level in enumerate(LEVELS)
    ]
    rows = [buttons[:3], buttons[3:]]
    if index > 0:
        rows.append([_nav(unit, comp, "back", locale, "btn.back")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def suggestion(question: Question, locale: str) -> InlineKeyboardMarkup:
    """ "Back" and "skip" under the suggestion prompt."""
    return _suggestion(question.unit_id, question.component.id, locale)


@lru_cache(maxsize=1024)
def _suggestion(unit: int, comp: str, locale: str) -> InlineKeyboardMarkup:
    row = [
        _nav(unit, comp, "back", locale, "btn.back"),
        _nav(unit, comp, "skip", locale, "btn.skip"),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def review(question: Question, locale: str) -> InlineKeyboardMarkup:
    """One "change" button per item (and the suggestion), then "submit"."""
    q = question.campaign.questionnaire
    return _review(
        question.unit_id, question.component.id, len(q.items), q.suggestion is not None, locale
    )


@lru_cache(maxsize=1024)
def _review(
    unit: int, comp: str, items: int, has_suggestion: bool, locale: str
) -> InlineKeyboardMarkup:
    edits = [
        _nav(unit, comp, "edit", locale, "btn.edit_item", index=n, label_index=n + 1)
        for n in range(items)
    ]
    rows = _chunks(edits, 3)
    if has_suggestion:
        rows.append([_nav(unit, comp, "edit", locale, "btn.edit_suggestion", index=items)])
    rows.append([_nav(unit, comp, "submit", locale, "btn.submit")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _nav(
    unit: int,
    comp: str,
    action: str,
    locale: str,
    key: str,
    index: int = 0,
    label_index: int | None = None,
) -> InlineKeyboardButton:
    label = t(locale, key, index=label_index) if label_index is not None else t(locale, key)
    return _button(label, Navigate(unit=unit, comp=comp, action=action, index=index))


def units(choice: UnitChoice, locale: str) -> InlineKeyboardMarkup:
    """The units of one page (rated ones ticked), then page buttons."""
    rows: Rows = []
    for unit in choice.page.units:
        unit_id = choice.unit_ids[unit.id]
        tick = t(locale, "survey.rated_mark") + " " if unit_id in choice.rated else ""
        rows.append(
            [
                _button(
                    tick + unit.name.get(locale), PickUnit(unit=unit_id, comp=choice.component.id)
                )
            ]
        )
    page, pages = choice.page.page, choice.page.pages
    turn = []
    if page > 0:
        turn.append(_page_button(choice, page - 1, locale, "btn.prev"))
    if page < pages - 1:
        turn.append(_page_button(choice, page + 1, locale, "btn.next"))
    if turn:
        rows.append(turn)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _page_button(choice: UnitChoice, page: int, locale: str, key: str) -> InlineKeyboardButton:
    return _button(
        t(locale, key), UnitsPage(campaign=choice.campaign.id, comp=choice.component.id, page=page)
    )


def campaigns(options: list[tuple[Campaign, Component]], locale: str) -> InlineKeyboardMarkup:
    """One button per open questionnaire (campaign × component)."""
    rows = [
        [
            _button(
                f"{campaign.name.get(locale)} · {component.name.get(locale)}",
                PickCampaign(campaign=campaign.id, comp=component.id),
            )
        ]
        for campaign, component in options
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def rate_another(campaign: Campaign, component: Component, locale: str) -> InlineKeyboardMarkup:
    """The button after a submission."""
    data = StartSurvey(campaign=campaign.id, comp=component.id)
    return InlineKeyboardMarkup(inline_keyboard=[[_button(t(locale, "btn.rate_another"), data)]])


def start(locale: str) -> InlineKeyboardMarkup:
    """The "start rating" button under the greeting."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(t(locale, "btn.start_survey"), StartSurvey())]]
    )


def languages() -> InlineKeyboardMarkup:
    """The three locales, each named in itself."""
    row = [
        _button(t(locale, f"lang.{locale}"), ChooseLanguage(locale=locale)) for locale in LOCALES
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])
