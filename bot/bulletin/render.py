"""A bulletin as people read it: Telegram HTML text, and the data its chart is drawn from.

Everything is localised here (names, dates, section titles), so the chart's worker
process receives plain strings and numbers (`ChartData`, which pickles).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.bulletin.figures import Bulletin, Section
from bot.core.registry import Registry
from bot.i18n import Safe, format_date, t

# Units listed per section in the text (the rest are summed in one line) and drawn.
TEXT_ROWS = 15
CHART_ROWS = 12


@dataclass(frozen=True)
class ChartPanel:
    """One section of the chart: its title, column labels, and per unit a label and counts."""

    title: str
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    values: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class ChartData:
    """Everything the chart shows, already in the reader's language."""

    title: str
    panels: tuple[ChartPanel, ...]
    locale: str


def unit_name(registry: Registry, unit_id: int | None, locale: str) -> str:
    """A unit's name, or "no unit named"."""
    found = registry.unit(unit_id) if unit_id is not None else None
    return found[1].name.get(locale) if found else t(locale, "bulletin.no_unit")


def period_text(bulletin: Bulletin, locale: str) -> tuple[str, str]:
    """The period's first and last local days, as people write them."""
    tz = ZoneInfo(bulletin.campaign.timezone)
    first = bulletin.period.start.astimezone(tz).date()
    # The period ends before `end`: its last day is the one before an end at midnight.
    last = (bulletin.period.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return format_date(locale, first), format_date(locale, max(first, last))


def text(bulletin: Bulletin, registry: Registry, locale: str) -> str:
    """The bulletin: its title and period, then each section's totals and busiest units."""
    first, last = period_text(bulletin, locale)
    lines = [
        t(
            locale,
            "bulletin.title",
            campaign=bulletin.campaign.name.get(locale),
            number=bulletin.number or "—",
        ),
        t(locale, "bulletin.period", first=first, last=last),
    ]
    for section in bulletin.sections:
        lines += ["", *_section(section, registry, locale)]
    return "\n".join(lines)


def _section(section: Section, registry: Registry, locale: str) -> list[str]:
    """A section: title, totals, then one line per unit (the busiest TEXT_ROWS)."""
    lines = [t(locale, f"bulletin.section.{section.key}")]
    lines.append(t(locale, "bulletin.totals", counts=_counts(section, section.totals, locale)))
    if not section.rows:
        lines.append(t(locale, "bulletin.nothing"))
    for row in section.rows[:TEXT_ROWS]:
        name = unit_name(registry, row.unit_id, locale)
        lines.append(
            t(locale, "bulletin.unit_line", unit=name, counts=_counts(section, row.values, locale))
        )
    if len(section.rows) > TEXT_ROWS:
        lines.append(t(locale, "bulletin.more_units", count=len(section.rows) - TEXT_ROWS))
    return lines


def _counts(section: Section, values: tuple[int, ...], locale: str) -> Safe:
    """ "overdue 2 · received 5 …" in the section's column order."""
    parts = [
        t(locale, "bulletin.count", column=_column(section, c, locale), n=v)
        for c, v in zip(section.columns, values, strict=True)
    ]
    return Safe(" · ".join(parts))


def _column(section: Section, column: str, locale: str) -> str:
    return t(locale, f"bulletin.column.{section.key}.{column}")


def chart_data(bulletin: Bulletin, registry: Registry, locale: str) -> ChartData:
    """What the chart draws, in `locale` (each section's busiest CHART_ROWS units)."""
    first, last = period_text(bulletin, locale)
    title = t(
        locale,
        "bulletin.chart_title",
        campaign=bulletin.campaign.name.get(locale),
        first=first,
        last=last,
    )
    panels = tuple(
        ChartPanel(
            t(locale, f"bulletin.section.{s.key}"),
            tuple(_column(s, c, locale) for c in s.columns),
            tuple(unit_name(registry, r.unit_id, locale) for r in s.rows[:CHART_ROWS]),
            tuple(r.values for r in s.rows[:CHART_ROWS]),
        )
        for s in bulletin.sections
    )
    return ChartData(title, panels, locale)
