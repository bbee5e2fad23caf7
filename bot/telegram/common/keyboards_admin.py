"""Keyboards of the admin's screens: broadcasts and campaign phases (the citizen's and
handlers' are in keyboards.py, with the helpers both use)."""

from __future__ import annotations

from bot.campaign.schema import Campaign
from bot.i18n import LOCALES, t
from bot.telegram.common.callbacks import (
    BroadcastAddLocale,
    BroadcastAudience,
    BroadcastAudienceMenu,
    BroadcastCancel,
    BroadcastSend,
    BroadcastUnitSearch,
    PhaseChange,
)
from bot.telegram.common.keyboards import Rows, _button, _chunks
from bot.telegram.common.markup import Keyboard


def broadcast_draft(draft_id: int, texts: dict[str, str], locale: str) -> Keyboard:
    """After a text: add another language, choose the audience, or drop the draft."""
    rows: Rows = [
        [
            _button(
                t(locale, "admin.bc.add_locale", language=t(loc, f"lang.{loc}")),
                BroadcastAddLocale(draft=draft_id, locale=loc),
            )
            for loc in LOCALES
            if loc not in texts
        ],
        [_button(t(locale, "admin.bc.choose_audience"), BroadcastAudienceMenu(draft=draft_id))],
        [_button(t(locale, "admin.bc.discard"), BroadcastCancel(job=draft_id))],
    ]
    return Keyboard(inline_keyboard=[row for row in rows if row])


def broadcast_audiences(draft_id: int, campaigns: list[Campaign], locale: str) -> Keyboard:
    """Everyone, a category of a campaign, started-not-submitted, complaints, a unit's people."""
    rows: Rows = [
        [
            _button(
                t(locale, "admin.aud.everyone"), BroadcastAudience(draft=draft_id, kind="everyone")
            )
        ],
        [
            _button(
                t(locale, "admin.aud.open_complaints"),
                BroadcastAudience(draft=draft_id, kind="open_complaints"),
            )
        ],
        [
            _button(
                t(locale, "admin.aud.raters_ask"),
                BroadcastUnitSearch(draft=draft_id, kind="raters"),
            ),
            _button(
                t(locale, "admin.aud.complainants_ask"),
                BroadcastUnitSearch(draft=draft_id, kind="complainants"),
            ),
        ],
    ]
    for campaign in campaigns:
        rows.append(
            [
                _button(
                    t(locale, "admin.aud.started", campaign=campaign.name.get(locale)),
                    BroadcastAudience(draft=draft_id, kind="started", campaign=campaign.id),
                )
            ]
        )
        rows += _chunks(
            [
                _button(
                    category.name.get(locale),
                    BroadcastAudience(
                        draft=draft_id, kind="category", campaign=campaign.id, cat=index
                    ),
                )
                for index, category in enumerate(campaign.categories)
            ],
            2,
        )
    rows.append([_button(t(locale, "admin.bc.discard"), BroadcastCancel(job=draft_id))])
    return Keyboard(inline_keyboard=rows)


def broadcast_units(
    draft_id: int, kind: str, units: list[tuple[int, str]], locale: str
) -> Keyboard:
    """Units matching the admin's search, for a raters / complainants audience."""
    rows: Rows = [
        [_button(name, BroadcastAudience(draft=draft_id, kind=kind, unit=unit_id))]
        for unit_id, name in units
    ]
    rows.append([_button(t(locale, "admin.bc.back"), BroadcastAudienceMenu(draft=draft_id))])
    return Keyboard(inline_keyboard=rows)


def broadcast_confirm(draft_id: int, locale: str) -> Keyboard:
    """Send to the previewed audience, choose another, or drop the draft."""
    return Keyboard(
        inline_keyboard=[
            [_button(t(locale, "admin.bc.send"), BroadcastSend(draft=draft_id))],
            [_button(t(locale, "admin.bc.other_audience"), BroadcastAudienceMenu(draft=draft_id))],
            [_button(t(locale, "admin.bc.discard"), BroadcastCancel(job=draft_id))],
        ]
    )


def broadcast_running(job_id: int, locale: str) -> Keyboard:
    """The cancel button under a running broadcast's status message."""
    return Keyboard(
        inline_keyboard=[[_button(t(locale, "admin.bc.stop"), BroadcastCancel(job=job_id))]]
    )


def phase_actions(
    campaign: Campaign, states: list[tuple[int, bool, bool]], locale: str
) -> Keyboard:
    """Per phase (index, open now, overridden): open or close it, or reset it to the file."""
    rows: Rows = []
    for index, open_now, overridden in states:
        name = campaign.phases[index].name.get(locale)
        action = "close" if open_now else "open"
        row = [
            _button(
                t(locale, f"admin.phase.{action}", phase=name),
                PhaseChange(campaign=campaign.id, phase=index, action=action),
            )
        ]
        if overridden:
            row.append(
                _button(
                    t(locale, "admin.phase.reset", phase=name),
                    PhaseChange(campaign=campaign.id, phase=index, action="reset"),
                )
            )
        rows.append(row)
    return Keyboard(inline_keyboard=rows)
