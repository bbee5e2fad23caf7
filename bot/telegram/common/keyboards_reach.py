"""Keyboards of /results' unit view (the other /results buttons are in render_publish.py)."""

from __future__ import annotations

from bot.i18n import t
from bot.publish.snapshot import PublishedUnit
from bot.telegram.common.callbacks import ResultsPage, ResultsUnit
from bot.telegram.common.keyboards import Rows, _button, _chunks
from bot.telegram.common.markup import Keyboard

NAME_LENGTH = 14  # characters of a unit's name on a button


def unit_rows(pub: int, units: list[PublishedUnit], kind: int, page: int, locale: str) -> Rows:
    """A button per unit shown on a /results page, opening its details."""
    buttons = [
        _button(_short(u.label(locale)), ResultsUnit(pub=pub, unit=u.unit_id, kind=kind, page=page))
        for u in units
    ]
    return _chunks(buttons, 2)


def _short(name: str) -> str:
    """A unit's name cut to fit a button."""
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


def back_to_results(pub: int, kind: int, page: int, locale: str) -> Keyboard:
    """From a unit's details back to the page of the ranking it was opened from."""
    back = _button(t(locale, "reach.results.back"), ResultsPage(pub=pub, kind=kind, page=page))
    return Keyboard(inline_keyboard=[[back]])
