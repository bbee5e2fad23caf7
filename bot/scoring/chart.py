"""The ranking chart: composite per unit, per kind, with the satisfaction intervals drawn.

matplotlib with the Agg backend (no display).  Chinese names need a CJK font;
the first one found among those Debian packages ship (fonts-noto-cjk,
fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-*) is used.  Without one, a
zh-Hans/zh-Hant chart is drawn with the English names instead, so it is
readable rather than a row of boxes; it never fails for want of a font.

Thread-safe, so the bot draws off the event loop (bot/scoring/offload.py): each
call draws on a Figure of its own (never pyplot's global current figure), and
matplotlib keys its font objects by thread.  The "glyph missing" warnings are
silenced once, here, because `warnings.catch_warnings` around one drawing would
change the process-wide filters under a concurrent one.
"""

from __future__ import annotations

import io
import logging
import warnings
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from bot.campaign.schema import Campaign
from bot.i18n import t
from bot.scoring.results import CampaignScores, Status, UnitScore

# A missing glyph must never fail or clutter a chart (see the module docstring).
warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
)


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def chart_locale(locale: str) -> str:
    """The locale the chart can be drawn in: English where Chinese glyphs are missing."""
    return locale if locale == "en" or cjk_font() else "en"


def ranking_png(campaign: Campaign, scores: CampaignScores, locale: str) -> bytes:
    """A PNG: per kind, ranked units' composites as bars, satisfaction ± interval as points."""
    loc = chart_locale(locale)
    kinds = sorted({u.kind for u in scores.units})
    heights = [max(1, sum(1 for u in scores.units if u.kind == k)) for k in kinds]
    fig = MplFigure(figsize=(9, 1.2 + 0.38 * sum(heights) + 0.8 * len(kinds)), dpi=110)
    font = cjk_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    axes = fig.subplots(len(kinds), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        _draw_kind(ax, campaign, scores.ranking(kind), kind, loc, family)
    axes[0, 0].legend(
        [t(loc, "scoring.chart.composite"), t(loc, "scoring.chart.satisfaction")],
        prop={"family": family, "size": 8},
        loc="lower right",
    )
    fig.suptitle(campaign.name.get(loc), fontfamily=family, fontsize=11)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _draw_kind(
    ax: Axes, campaign: Campaign, units: list[UnitScore], kind: str, loc: str, family: list[str]
) -> None:
    """One kind's ranking on its axes: composites as bars, satisfaction ± interval as points."""
    ys = list(range(len(units)))[::-1]
    bars = [
        float(u.composite) if u.composite is not None and u.status is Status.RANKED else 0.0
        for u in units
    ]
    ax.barh(ys, bars, color="#4C72B0", alpha=0.8, label=t(loc, "scoring.chart.composite"))
    for y, u in zip(ys, units, strict=True):
        s = u.satisfaction
        if s.satisfaction is None:
            continue
        mid = float(s.satisfaction)
        low = float(s.low) if s.low is not None else mid
        high = float(s.high) if s.high is not None else mid
        ax.errorbar(
            [mid],
            [y],
            xerr=[[mid - low], [high - mid]],
            fmt="o",
            color="#DD8452",
            capsize=3,
            markersize=4,
        )
    ax.set_yticks(ys)
    labels = [_label(campaign, u.code, u.rank, loc) for u in units]
    ax.set_yticklabels(labels, fontfamily=family, fontsize=8)
    ax.set_xlim(0, 100 + float(campaign.rules.bonus_cap) + 2)
    ax.set_title(t(loc, f"scoring.kind.{kind}"), fontfamily=family, fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def _label(campaign: Campaign, code: str, rank: int | None, locale: str) -> str:
    name = campaign.unit(code).name.get(locale)
    return f"{rank}. {name}" if rank is not None else f"— {name}"
