"""A bulletin's chart: one panel per section, grouped horizontal bars per unit.

Drawn like the ranking chart (bot/scoring/chart.py): matplotlib's Agg backend, a
Figure of its own per call (thread-safe), a CJK font when one is installed — and
without one, the chart is drawn from English texts (the caller renders `ChartData`
in `chart_locale(locale)`), so it is never a row of boxes.  It runs in the worker
process (bot/scoring/offload.py), so its argument is plain data that pickles.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator

from bot.bulletin.render import ChartData, ChartPanel
from bot.scoring.chart import chart_locale, cjk_font

__all__ = ["bulletin_png", "chart_locale"]

COLOURS = ("#C44E52", "#4C72B0", "#55A868", "#8172B2", "#DD8452", "#937860")
TEXT = "DejaVu Sans"
ELLIPSIS_AT = 18  # characters of a unit's name on the axis


def bulletin_png(data: ChartData) -> bytes:
    """A PNG: one panel per section, each unit's counts as grouped bars."""
    font = cjk_font()
    family = [font, TEXT] if font else [TEXT]
    heights = [max(1, len(p.labels)) for p in data.panels] or [1]
    fig = MplFigure(figsize=(9, 1.4 + 0.42 * sum(heights) + 0.9 * len(heights)), dpi=100)
    axes = fig.subplots(len(heights), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, panel in zip(axes[:, 0], data.panels, strict=False):
        _panel(ax, panel, family)
    fig.suptitle(data.title, fontfamily=family, fontsize=11)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _panel(ax: Axes, panel: ChartPanel, family: list[str]) -> None:
    """One section: a group of bars per unit (the first unit on top), a legend."""
    ax.set_title(panel.title, fontfamily=family, fontsize=10)
    if not panel.labels:
        ax.set_yticks([])
        ax.set_xticks([])
        return
    groups, width = len(panel.columns), 0.8 / max(1, len(panel.columns))
    ys = list(range(len(panel.labels)))[::-1]
    for i, column in enumerate(panel.columns):
        offsets = [y + 0.4 - width * (i + 0.5) for y in ys]
        counts = [row[i] for row in panel.values]
        ax.barh(offsets, counts, height=width, color=COLOURS[i % len(COLOURS)], label=column)
    ax.set_yticks(ys)
    ax.set_yticklabels([_short(x) for x in panel.labels], fontfamily=family, fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half complaints
    ax.grid(axis="x", alpha=0.3)
    ax.legend(prop={"family": family, "size": 7}, loc="lower right", ncols=min(groups, 4))


def _short(label: str) -> str:
    """A unit's name short enough for the axis."""
    return label if len(label) <= ELLIPSIS_AT else label[: ELLIPSIS_AT - 1] + "…"
