"""Turns the engine's screens into Telegram HTML text and keyboards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.campaign.schema import Campaign, Level, LocaleText
from bot.i18n import Safe, echo, format_date, t
from bot.survey.flow import review_position
from bot.survey.screens import CampaignChoice, Notice, Question, Reply, Thanks, UnitChoice
from bot.telegram.common import keyboards
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.replies import Answer

# The review shows a long suggestion shortened (it is stored whole), so the
# message always stays far below Telegram's 4096 characters.
REVIEW_SUGGESTION_PREVIEW = 300
# A typed search is shown back this long at most (it may be any length).
SEARCH_ECHO = 100

Rendered = tuple[str, Keyboard | None]


def notice(item: Notice, locale: str) -> str:
    """A notice's text in `locale`; campaign, date and name values are localised."""
    return t(locale, item.key, **{k: _value(v, locale) for k, v in item.values.items()})


def reply(item: Reply, locale: str) -> Answer:
    """The questionnaire engine's reply, rendered for `replies.answer`."""
    text, markup = screen(item.screen, locale) if item.screen is not None else (None, None)
    return Answer(
        text=text,
        markup=markup,
        toast=notice(item.toast, locale) if item.toast is not None else None,
        also=notice(item.also, locale) if item.also is not None else None,
        edit=item.edit,
    )


def _value(value: Any, locale: str) -> Any:
    if isinstance(value, Campaign):
        return value.name.get(locale)
    if isinstance(value, LocaleText):
        return value.get(locale)
    if isinstance(value, dt.date):
        return format_date(locale, value)
    if isinstance(value, Level):
        return t(locale, f"level.{value.value}")
    return value


def screen(item: Notice | CampaignChoice | UnitChoice | Question | Thanks, locale: str) -> Rendered:
    """Text and keyboard for any screen."""
    if isinstance(item, Notice):
        return notice(item, locale), None
    if isinstance(item, CampaignChoice):
        return t(locale, "survey.choose_campaign"), keyboards.campaigns(item.options, locale)
    if isinstance(item, UnitChoice):
        return unit_choice(item, locale), keyboards.units(item, locale)
    if isinstance(item, Thanks):
        text = t(locale, "survey.thanks", unit=item.unit.name.get(locale))
        return text, keyboards.rate_another(item.campaign, item.component, locale, item.unit_id)
    return question(item, locale)


def unit_choice(choice: UnitChoice, locale: str) -> str:
    """The unit picker's text."""
    lines = [
        t(
            locale,
            "survey.choose_unit",
            campaign=choice.campaign.name.get(locale),
            component=choice.component.name.get(locale),
        )
    ]
    if choice.no_match:
        lines.append(t(locale, "survey.no_match", query=echo(choice.query or "", SEARCH_ECHO)))
    elif choice.page.query:
        lines.append(t(locale, "survey.filtered", query=echo(choice.page.query, SEARCH_ECHO)))
    if choice.page.pages > 1:
        lines.append(t(locale, "common.page", page=choice.page.page + 1, pages=choice.page.pages))
    return "\n".join(lines)


def question(q: Question, locale: str) -> Rendered:
    """An item, the suggestion prompt, or the review."""
    if q.screen == "item":
        return _item(q, locale), keyboards.levels(q, locale)
    if q.screen == "suggestion":
        return _suggestion(q, locale), keyboards.suggestion(q, locale)
    return _review(q, locale), keyboards.review(q, locale)


def _item(q: Question, locale: str) -> str:
    items = q.campaign.questionnaire_for(q.component).items
    item = items[q.draft.position]
    text = t(
        locale,
        "survey.item",
        unit=q.unit.name.get(locale),
        index=q.draft.position + 1,
        total=len(items),
        item=item.text.get(locale),
        hint=item.hint.get(locale) if item.hint else "",
    )
    chosen = q.draft.answers.get(item.id)
    if chosen:
        text += "\n" + t(locale, "survey.item_chosen", level=Safe(t(locale, f"level.{chosen}")))
    return _resumed(q, locale) + text


def _suggestion(q: Question, locale: str) -> str:
    suggestion = q.campaign.questionnaire_for(q.component).suggestion
    assert suggestion is not None
    text = t(
        locale,
        "survey.suggestion",
        unit=q.unit.name.get(locale),
        prompt=suggestion.prompt.get(locale),
        limit=suggestion.max_length,
    )
    if q.draft.suggestion:
        current = echo(q.draft.suggestion, REVIEW_SUGGESTION_PREVIEW)
        text += "\n" + t(locale, "survey.suggestion_current", text=current)
    return _resumed(q, locale) + text


def _review(q: Question, locale: str) -> str:
    lines = [
        t(
            locale,
            "survey.review",
            unit=q.unit.name.get(locale),
            component=q.component.name.get(locale),
        )
    ]
    for n, item in enumerate(q.campaign.questionnaire_for(q.component).items, start=1):
        level = q.draft.answers.get(item.id, "dont_know")
        lines.append(
            t(
                locale,
                "survey.review_line",
                index=n,
                item=item.text.get(locale),
                level=Safe(t(locale, f"level.{level}")),
            )
        )
    if q.campaign.questionnaire_for(q.component).suggestion is not None:
        if q.draft.suggestion:
            shown = echo(q.draft.suggestion, REVIEW_SUGGESTION_PREVIEW)
            lines.append(t(locale, "survey.review_suggestion", text=shown))
        else:
            lines.append(t(locale, "survey.review_no_suggestion"))
    lines.append(t(locale, "survey.review_footer"))
    assert q.draft.position == review_position(q.campaign.questionnaire_for(q.component))
    return _resumed(q, locale) + "\n".join(lines)


def _resumed(q: Question, locale: str) -> str:
    return t(locale, "survey.resumed") + "\n\n" if q.resumed else ""
