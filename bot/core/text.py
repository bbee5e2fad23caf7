"""The one normaliser for text a person typed: NFC, trimmed, and refused if nothing shows.

Telegram lets a message consist of characters that render as nothing — zero-width
spaces and joiners, bidi marks, Hangul fillers, the braille blank — so a
"description" can look blank to everyone who reads it.  `visible_text` turns
such input into None, so each flow can refuse it with a message instead of
storing and relaying an empty-looking text.
"""

from __future__ import annotations

import unicodedata

# Letters and symbols that render as blank space although Unicode files them as visible.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Whitespace (Z*), controls (Cc) and format characters (Cf: zero-width, bidi marks, BOM …).
_BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def _blank(ch: str) -> bool:
    """True for a character that shows nothing by itself (ends are trimmed of these)."""
    return ch in _BLANK_GLYPHS or unicodedata.category(ch) in _BLANK_CATEGORIES


def _visible(ch: str) -> bool:
    """True for a letter, digit, punctuation mark or symbol that actually shows."""
    return ch not in _BLANK_GLYPHS and unicodedata.category(ch)[0] in "LNPS"


def visible_text(raw: str) -> str | None:
    """`raw` NFC-normalised and trimmed of blank characters at both ends, or None when
    no visible character is left (only whitespace, zero-width or format characters)."""
    text = unicodedata.normalize("NFC", raw)
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    text = text[start:end]
    return text if any(_visible(ch) for ch in text) else None
