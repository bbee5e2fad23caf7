"""The translation layer."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LOCALES, Safe, catalog_keys, normalize_locale, t


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("zh-hans", "zh-Hans"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-hant", "zh-Hant"),
        ("zh-TW", "zh-Hant"), ("zh-hk", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("en", "en"),
        ("en-GB", "en"), ("ru", "zh-Hans"), (None, "zh-Hans"), ("", "zh-Hans"),
    ],
)
def test_language_codes_reach_the_right_locale(code: str | None, locale: str) -> None:
    assert normalize_locale(code) == locale


def test_every_key_is_present_in_every_locale() -> None:
    reference = catalog_keys("zh-Hans")
    for locale in LOCALES:
        assert catalog_keys(locale) == reference, locale


def test_placeholders_agree_across_locales() -> None:
    for key in catalog_keys("zh-Hans"):
        fields = {
            locale: set(re.findall(r"{(\w+)}", t(locale, key)))
            for locale in LOCALES
        }
        assert fields["en"] <= fields["zh-Hans"] | {"month_name"}, key
        assert fields["zh-Hant"] == fields["zh-Hans"], key


def test_values_are_html_escaped_unless_safe() -> None:
    text = t("en", "survey.thanks", unit="<b>x</b> & y")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text
    assert "<i>ok</i>" in t("en", "survey.thanks", unit=Safe("<i>ok</i>"))


def test_texts_differ_by_locale() -> None:
    assert t("zh-Hans", "level.very_satisfied") == "很满意"
    assert t("zh-Hant", "level.very_satisfied") == "很滿意"
    assert t("en", "level.very_satisfied") == "Very satisfied"


def test_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        t("en", "no.such.key")
