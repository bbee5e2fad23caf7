"""Complaint screens as Telegram HTML text and keyboards.

Cards and relays are built from `ComplaintView`, which carries nothing about who
complained: the only personal detail a card can show is the contact the citizen
chose to give.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.campaign.schema import Campaign, LocaleText
from bot.complaints.screens import (
    Card,
    Choice,
    ComplaintView,
    DraftScreen,
    Filed,
    MyComplaints,
    Relay,
    ResultScreen,
    Screen,
)
from bot.i18n import Safe, echo, format_date, t
from bot.survey.screens import Notice
from bot.telegram.common import keyboards
from bot.telegram.common.markup import Keyboard
from bot.telegram.common.render import SEARCH_ECHO

PREVIEW = 300  # characters of a long description shown on a review or list
Rendered = tuple[str, Keyboard | None]


def notice(item: Notice, locale: str) -> str:
    """A complaint notice, its values localised (dates, names, verdicts, "estimated")."""
    return t(locale, item.key, **{k: _value(k, v, locale) for k, v in item.values.items()})


def _value(key: str, value: Any, locale: str) -> Any:
    if key == "estimated":
        return Safe(" " + t(locale, "complaint.estimated")) if value else ""
    if key == "verdict" and isinstance(value, str):
        return t(locale, f"complaint.verdict.{value}")
    if isinstance(value, Campaign | LocaleText):
        return value.name.get(locale) if isinstance(value, Campaign) else value.get(locale)
    if isinstance(value, dt.date):
        return format_date(locale, value)
    return value


def due(view: ComplaintView, locale: str) -> str:
    """The due date in the person's locale, marked when the calendar lacked the year."""
    text = format_date(locale, view.due_day)
    return text + (" " + t(locale, "complaint.estimated") if view.due_estimated else "")


def screen(item: Screen, locale: str) -> Rendered:
    """Text and keyboard of any complaint screen."""
    if isinstance(item, Notice):
        return notice(item, locale), None
    if isinstance(item, DraftScreen):
        return draft(item, locale), keyboards.complaint_draft(item, locale)
    if isinstance(item, Filed):
        return filed(item.view, locale), None
    if isinstance(item, MyComplaints):
        return mine(item, locale), keyboards.my_complaints(item.views, locale)
    if isinstance(item, Card):
        return card(item, locale), keyboards.complaint_card(item, locale)
    if isinstance(item, Relay):
        markup = keyboards.complaint_reply(item.view, locale) if item.reply_button else None
        unit = _unit_name(item.unit, locale) if item.unit is not None else ""
        key = f"complaint.relay.{item.key}"
        return t(locale, key, tracking=item.view.tracking, text=item.text, unit=unit), markup
    if isinstance(item, ResultScreen):
        return result(item.view, locale), keyboards.complaint_result(item.view, locale)
    return choice(item, locale), keyboards.complaint_choice(item, locale)


def _unit_name(view_unit: Any, locale: str) -> str:
    return view_unit.name.get(locale) if view_unit is not None else t(locale, "complaint.no_unit")


def _preview(text: str) -> Safe:
    return echo(text, PREVIEW)


def draft(item: DraftScreen, locale: str) -> str:
    """The draft's current step."""
    d, lines = item.draft, []
    if item.resumed:
        lines += [t(locale, "complaint.resumed"), ""]
    if d.step == "campaign":
        lines.append(t(locale, "complaint.choose_campaign"))
    elif d.step == "unit" and item.campaign is not None and item.page is not None:
        lines.append(t(locale, "complaint.choose_unit", campaign=item.campaign.name.get(locale)))
        if item.no_match:
            lines.append(t(locale, "survey.no_match", query=echo(d.query or "", SEARCH_ECHO)))
        elif d.query:
            lines.append(t(locale, "survey.filtered", query=echo(d.query, SEARCH_ECHO)))
        if item.page.pages > 1:
            lines.append(t(locale, "common.page", page=item.page.page + 1, pages=item.page.pages))
    elif d.step == "kind":
        lines.append(t(locale, "complaint.choose_kind", unit=_unit_name(item.unit, locale)))
    elif d.step == "text":
        lines.append(t(locale, "complaint.describe", limit=item.limit))
        if d.text:
            lines.append(t(locale, "complaint.current_text", text=_preview(d.text)))
    elif d.step == "evidence":
        lines.append(t(locale, "complaint.evidence", count=len(d.attachments), limit=5))
    elif d.step == "contact":
        lines.append(t(locale, "complaint.contact"))
    else:
        lines.append(review(item, locale))
    return "\n".join(lines)


def review(item: DraftScreen, locale: str) -> str:
    """Everything the citizen is about to file."""
    d = item.draft
    contact = (
        t(locale, "complaint.review_contact", contact=d.contact)
        if d.contact
        else t(locale, "complaint.review_anonymous")
    )
    return t(
        locale,
        "complaint.review",
        unit=_unit_name(item.unit, locale),
        kind=item.kind.name.get(locale) if item.kind else "",
        text=_preview(d.text or ""),
        files=t(locale, "complaint.files", count=len(d.attachments)),
        contact=Safe(contact),
    )


def filed(view: ComplaintView, locale: str) -> str:
    """The tracking number and the due date."""
    return t(
        locale,
        "complaint.filed",
        tracking=view.tracking,
        unit=_unit_name(view.unit, locale),
        due=Safe(due(view, locale)),
    )


def _status(view: ComplaintView, locale: str) -> str:
    text = t(locale, f"complaint.status.{view.status}")
    if view.overdue and view.open:
        text += " · " + t(locale, "complaint.status.overdue")
    return text


def mine(item: MyComplaints, locale: str) -> str:
    """The citizen's complaints, newest first."""
    lines = [t(locale, "complaint.mine_header")]
    for view in item.views:
        lines.append(
            t(
                locale,
                "complaint.mine_line",
                tracking=view.tracking,
                unit=_unit_name(view.unit, locale),
                kind=view.kind.name.get(locale) if view.kind else "",
                status=_status(view, locale),
                due=Safe(due(view, locale)),
            )
        )
    return "\n".join(lines)


def card(item: Card, locale: str) -> str:
    """A complaint for a handler or the centre: the facts and evidence, never who filed it."""
    view, lines = item.view, []
    if item.note is not None:
        lines += [notice(item.note, locale), ""]
    contact = (
        t(locale, "complaint.card_contact", contact=view.contact)
        if view.contact
        else t(locale, "complaint.card_anonymous")
    )
    lines.append(
        t(
            locale,
            "complaint.card",
            tracking=view.tracking,
            campaign=view.campaign.name.get(locale),
            unit=_unit_name(view.unit, locale),
            kind=view.kind.name.get(locale) if view.kind else "",
            case_class=view.case_class.name.get(locale),
            days=view.case_class.working_days,
            filed=format_date(locale, view.filed_at.astimezone(_tz(view)).date()),
            due=Safe(due(view, locale)),
            status=_status(view, locale),
            text=view.text,
            files=t(locale, "complaint.files", count=len(view.attachments)),
            contact=Safe(contact),
        )
    )
    extras = (
        ("complaint.card_extension", view.extension_reason),
        ("complaint.card_transfer", view.transfer_reason if view.status == "triage" else None),
        ("complaint.card_result", view.result),
    )
    for key, value in extras:
        if value:
            lines.append(t(locale, key, text=value))
    if view.verdict:
        lines.append(
            t(locale, "complaint.card_verdict", verdict=_value("verdict", view.verdict, locale))
        )
    if view.rating:
        lines.append(
            t(locale, "complaint.card_rating", rating=t(locale, f"complaint.rating.{view.rating}"))
        )
    if view.review:
        lines.append(t(locale, f"complaint.review_state.{view.review}"))
    return "\n".join(lines)


def _tz(view: ComplaintView) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(view.campaign.timezone)


def result(view: ComplaintView, locale: str) -> str:
    """The result sent back to the citizen (有诉必理、有理必果), then how they rated it."""
    lines = [
        t(
            locale,
            "complaint.result",
            tracking=view.tracking,
            unit=_unit_name(view.unit, locale),
            verdict=_value("verdict", view.verdict or "", locale),
            text=view.result or "",
        )
    ]
    if view.rating is None:
        lines.append(t(locale, "complaint.rate_prompt"))
    else:
        lines.append(
            t(locale, "complaint.card_rating", rating=t(locale, f"complaint.rating.{view.rating}"))
        )
        if view.review:
            lines.append(t(locale, f"complaint.review_state.{view.review}"))
        elif view.rating == "dissatisfied":
            lines.append(t(locale, "complaint.review_offer"))
    return "\n".join(lines)


def choice(item: Choice, locale: str) -> str:
    """Above a choice of units, case classes or verdicts."""
    text = t(locale, f"complaint.choose_{item.what}", tracking=item.view.tracking)
    if item.page is not None and item.page.pages > 1:
        text += "\n" + t(locale, "common.page", page=item.page.page + 1, pages=item.page.pages)
    return text
