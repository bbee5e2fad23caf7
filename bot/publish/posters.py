"""Printable posters for random appraisal: one A4 page per unit, with a QR code of the
unit's deep link (bot/core/deeplinks.py), so a citizen served at a window rates it at once.

The QR code is made by `segno` (no hand-written encoder); the page is drawn with
matplotlib (Agg, a Figure of its own per poster, as bot/scoring/chart.py draws) in the
CJK font /chart uses.  Without a CJK font a Chinese poster is drawn in English instead,
readable rather than a row of boxes.  PNG at 150 dpi with the resolution recorded, so
it prints at A4.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import segno
from matplotlib.figure import Figure as MplFigure

from bot.i18n import t
from bot.scoring.chart import cjk_font

A4_INCHES = (8.27, 11.69)
DPI = 150
QR_WIDTH = 0.62  # of the page's width
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


@dataclass(frozen=True)
class PosterText:
    """What one poster says, in one locale."""

    locale: str
    unit: dict[str, str]  # locale → the unit's name
    campaign: dict[str, str]  # locale → the campaign's name
    rate_link: str  # the QR code's link
    complain_link: str


def _wrap(text: str, width: int) -> str:
    """Lines of at most `width` characters: by words for a spaced script, else by characters."""
    if " " in text.strip():
        return "\n".join(textwrap.wrap(text, width))
    return "\n".join(text[i : i + width // 2] for i in range(0, len(text), width // 2))


def _matrix(link: str) -> list[list[int]]:
    """The QR code's modules (1 dark), with the quiet zone around them."""
    code = segno.make(link, error="m", micro=False)
    size = len(code.matrix) + 2 * QUIET_ZONE
    blank = [[0] * size for _ in range(QUIET_ZONE)]
    rows = [[0] * QUIET_ZONE + list(row) + [0] * QUIET_ZONE for row in code.matrix]
    return blank + rows + [list(r) for r in blank]


def poster_png(text: PosterText) -> bytes:
    """The poster as PNG bytes."""
    font = cjk_font()
    locale = text.locale if font is not None or text.locale == "en" else "en"
    family = font or "DejaVu Sans"
    fig = MplFigure(figsize=A4_INCHES, dpi=DPI)
    fig.patch.set_facecolor("white")

    def write(
        y: float, line: str, size: float, face: str = family, bold: bool = False, grey: bool = False
    ) -> None:
        """A centred block of text at height `y` (0 bottom, 1 top)."""
        weight, color = ("bold" if bold else "normal"), ("#555555" if grey else "#1d2733")
        fig.text(
            0.5,
            y,
            line,
            ha="center",
            va="top",
            fontsize=size,
            family=face,
            weight=weight,
            color=color,
        )

    write(0.95, t(locale, "reach.poster.title"), 30, bold=True)
    write(0.885, _wrap(text.unit[locale], 36), 20)
    qr = fig.add_axes((0.5 - QR_WIDTH / 2, 0.25, QR_WIDTH, QR_WIDTH * A4_INCHES[0] / A4_INCHES[1]))
    qr.imshow(_matrix(text.rate_link), cmap="gray_r", interpolation="nearest", vmin=0, vmax=1)
    qr.set_axis_off()
    write(0.235, t(locale, "reach.poster.scan"), 16, bold=True)
    write(0.2, text.rate_link, 11, face="DejaVu Sans Mono")
    write(0.165, _wrap(t(locale, "reach.poster.what"), 64), 12, grey=True)
    write(0.07, t(locale, "reach.poster.complain", link=text.complain_link), 10)
    write(0.04, text.campaign[locale], 9, grey=True)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": "pingyi"})
    return out.getvalue()
