"""The translation layer: every text a person reads goes through `Translator.t`.

Each locale is a folder in `locales/`, one YAML file per feature (flat keys →
text with `{placeholders}`; a key may be defined in one file only).  A text that
depends on a number is a mapping of plural forms (`one`/`other` in English; one
form, `other`, in Chinese), chosen by the `count` argument of `t`.
zh-Hans is the default; en and zh-Hant follow, each key falling back to the
default locale when missing.  Texts are Telegram HTML: placeholder values are
HTML-escaped unless wrapped in `Safe`, so user-supplied text can never inject
markup.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import cache
from importlib import resources
from typing import Any

import yaml

LOCALES: tuple[str, ...] = ("zh-Hans", "en", "zh-Hant")
DEFAULT_LOCALE = "zh-Hans"
# The plural forms each locale's count-aware texts must give (CLDR categories).
PLURAL_FORMS: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("other",),
    "en": ("one", "other"),
    "zh-Hant": ("other",),
}
Text = str | dict[str, str]  # a text, or its plural forms

# Telegram sends IETF-ish codes; aiogram's stock middleware would collapse the
# Traditional variants to "zh", so we map them ourselves.
_TRADITIONAL = {"zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw", "zh-hant-hk"}


class Safe(str):
    """A placeholder value that is already valid Telegram HTML (not escaped again)."""

    __slots__ = ()


# How much of a person's typed text a message shows back by default (a search, a name).
ECHO_LIMIT = 200
ELLIPSIS = "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> Safe:
    """Text a person typed, ready to be shown back inside a message: at most `limit`
    characters (an ellipsis marks a cut) and HTML-escaped.

    Use it for every typed text put into a message (a search, a suggestion, a
    complaint, a relayed text): the limit keeps the message under Telegram's 4096
    characters whatever was typed, and cutting before escaping never splits an entity.

    >>> echo("<b>" * 3, 5)
    '&lt;b&gt;&lt;…'
    """
    if len(text) > limit:
        text = text[: max(limit - len(ELLIPSIS), 0)] + ELLIPSIS
    return Safe(html.escape(text, quote=False))


def normalize_locale(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram `language_code` to one of LOCALES.

    >>> normalize_locale("zh-TW"), normalize_locale("zh-hans"), normalize_locale("en-GB")
    ('zh-Hant', 'zh-Hans', 'en')
    """
    if not language_code:
        return default
    code = language_code.strip().lower().replace("_", "-")
    if code in _TRADITIONAL or code.startswith("zh-hant"):
        return "zh-Hant"
    if code == "zh" or code.startswith("zh-"):
        return "zh-Hans"
    if code == "en" or code.startswith("en-"):
        return "en"
    return default


@cache
def _catalog(locale: str) -> dict[str, Text]:
    """Every text of a locale: the union of its per-feature files, keys unique."""
    merged: dict[str, Text] = {}
    folder = resources.files("bot.i18n").joinpath("locales", locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text("utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{locale}/{entry.name} must be a mapping of keys to texts")
        for key, value in data.items():
            if str(key) in merged:
                raise ValueError(f"{locale}/{entry.name}: key {key!r} is defined twice")
            if isinstance(value, dict):
                merged[str(key)] = {str(form): str(text) for form, text in value.items()}
            else:
                merged[str(key)] = str(value)
    return merged


def catalog_keys(locale: str) -> set[str]:
    """The keys a locale file defines (for the completeness test)."""
    return set(_catalog(locale))


def catalog_text(locale: str, key: str) -> Text:
    """A key's text as the locale file gives it (plural forms as a mapping; for tests)."""
    return _catalog(locale)[key]


def plural_form(locale: str, count: int) -> str:
    """The plural form of `count` in `locale`: "one" for English 1, "other" otherwise."""
    if "one" in PLURAL_FORMS.get(locale, ()) and count == 1:
        return "one"
    return "other"


class Translator:
    """Looks texts up by key and locale, with fallback to the default locale."""

    def __init__(self, default: str = DEFAULT_LOCALE) -> None:
        """Use `default` where a locale lacks a key."""
        self.default = default

    def t(self, locale: str, key: str, **values: Any) -> str:
        """The text for `key` in `locale`, placeholders filled and HTML-escaped.

        A count-aware text takes its form from `count` (which it may also show).
        """
        found = _catalog(locale).get(key) if locale in LOCALES else None
        if found is None:
            locale, found = self.default, _catalog(self.default).get(key)
        if found is None:
            raise KeyError(f"no text for {key!r}")
        if isinstance(found, dict):
            if "count" not in values:
                raise TypeError(f"{key!r} depends on a number: pass count=")
            forms = found
            found = forms.get(plural_form(locale, int(values["count"]))) or forms["other"]
        text = found
        if not values:
            return text
        return text.format_map({k: _escaped(v) for k, v in values.items()})


def _escaped(value: Any) -> str:
    if isinstance(value, Safe):
        return str(value)
    return html.escape(str(value), quote=False)


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(locale: str, day: dt.date) -> str:
    """A date as people write it in `locale` (2011年7月25日, 25 July 2011)."""
    return translator.t(
        locale,
        "date.format",
        year=day.year,
        month=day.month,
        day=day.day,
        month_name=_MONTHS_EN[day.month - 1],
    )


translator = Translator()
t = translator.t
