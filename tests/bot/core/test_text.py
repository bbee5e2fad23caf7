"""The one normaliser for typed text: NFC, trimmed, None when nothing would show."""

from __future__ import annotations

import pytest

from bot.core.text import visible_text

INVISIBLE = [
    "",
    "   \n\t",
    "\u00a0\u3000",  # no-break space, ideographic space
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, non-joiner, joiner, word joiner, BOM
    "\u200e\u200f\u202a\u202e",  # bidi marks and embeddings
    "\u3164\u115f\u1160\uffa0",  # Hangul fillers (letters that render blank)
    "\u2800 \u2800",  # braille blank
    "\u0301",  # a combining accent on nothing
    "\U000e0041\U000e007f",  # tag characters
]


@pytest.mark.parametrize("raw", INVISIBLE)
def test_nothing_visible_is_none(raw: str) -> None:
    assert visible_text(raw) is None


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  拖了三个月  ", "拖了三个月"),
        ("\u200b\ufeff 窗口\u200b推诿 \u2060", "窗口\u200b推诿"),  # inner characters are kept
        ("e\u0301", "\u00e9"),  # NFC: one character
        ("😀", "😀"),
        ("\u3164ok\u3164", "ok"),
        ("。", "。"),
    ],
)
def test_visible_text_is_normalised_and_trimmed(raw: str, kept: str) -> None:
    assert visible_text(raw) == kept
