"""The translation layer."""

from __future__ import annotations

import re

import pytest

from bot.i18n import (
    LOCALES,
    PLURAL_FORMS,
    Safe,
    catalog_keys,
    catalog_text,
    normalize_locale,
    plural_form,
    t,
)


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("zh-hans", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-hant", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-hk", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("en", "en"),
        ("en-GB", "en"),
        ("ru", "zh-Hans"),
        (None, "zh-Hans"),
        ("", "zh-Hans"),
    ],
)
def test_language_codes_reach_the_right_locale(code: str | None, locale: str) -> None:
    assert normalize_locale(code) == locale


def test_every_key_is_present_in_every_locale() -> None:
    reference = catalog_keys("zh-Hans")
    for locale in LOCALES:
        assert catalog_keys(locale) == reference, locale


def _fields(locale: str, key: str) -> set[str]:
    """The placeholders of a key's text (of all its plural forms together)."""
    text = catalog_text(locale, key)
    forms = text.values() if isinstance(text, dict) else [text]
    return {name for form in forms for name in re.findall(r"{(\w+)}", form)}


def test_placeholders_agree_across_locales() -> None:
    for key in catalog_keys("zh-Hans"):
        fields = {locale: _fields(locale, key) for locale in LOCALES}
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


def _plural_keys() -> set[str]:
    return {
        key
        for locale in LOCALES
        for key in catalog_keys(locale)
        if isinstance(catalog_text(locale, key), dict)
    }


def test_plural_keys_give_every_form_of_every_locale() -> None:
    plural = _plural_keys()
    assert "admin.bc.preview" in plural and "complaint.files" in plural
    for key in plural:
        for locale in LOCALES:
            text = catalog_text(locale, key)
            assert isinstance(text, dict), (locale, key)
            assert sorted(text) == sorted(PLURAL_FORMS[locale]), (locale, key)
            forms = {form: set(re.findall(r"{(\w+)}", value)) for form, value in text.items()}
            assert len({frozenset(f) for f in forms.values()}) == 1, (locale, key, forms)


def test_no_english_text_hedges_its_number() -> None:
    for key in catalog_keys("en"):
        text = catalog_text("en", key)
        for form in text.values() if isinstance(text, dict) else [text]:
            assert "(s)" not in form, key


def test_the_count_chooses_the_form() -> None:
    assert plural_form("en", 1) == "one" and plural_form("en", 0) == "other"
    assert plural_form("zh-Hans", 1) == "other"
    assert t("en", "complaint.files", count=1) == "1 file"
    assert t("en", "complaint.files", count=3) == "3 files"
    assert t("zh-Hans", "complaint.files", count=1) == "1个文件"
    assert "1</b> recipient now" in t("en", "admin.bc.preview", audience="x", count=1)
    assert "2</b> recipients now" in t("en", "admin.bc.preview", audience="x", count=2)
    with pytest.raises(TypeError):
        t("en", "complaint.files")
