"""A bulletin's figures: a list of sections, each a table of counts per unit.

A section is computed by a `SectionSource` from storage queries (storage/bulletins.py)
for one campaign and one period.  `SOURCES` is the list a bulletin is made of, in
order; a new section is one more source here plus its titles in the locale files —
the text, the chart and the tests take every section alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.campaign.schema import Campaign
from storage.bulletins import BulletinRepo
from storage.rectification import RectificationRepo
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Period:
    """The period a bulletin reports: [start, end), UTC-aware."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Row:
    """One unit's counts, in the order of its section's columns (unit None: no unit named)."""

    unit_id: int | None
    values: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """A table of counts per unit; `key` names its title and columns in the locale files
    (``bulletin.section.KEY``, ``bulletin.column.KEY.COLUMN``)."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]  # the units with any count, most urgent first (columns in order)

    @property
    def totals(self) -> tuple[int, ...]:
        """Each column's sum over every unit."""
        return tuple(sum(r.values[i] for r in self.rows) for i in range(len(self.columns)))


@dataclass(frozen=True)
class Bulletin:
    """A campaign's bulletin for one period: its sections, in order."""

    campaign: Campaign
    period: Period
    sections: tuple[Section, ...]
    number: int | None = None  # the stored bulletin's id (None: a preview, not recorded)


SectionSource = Callable[[UnitOfWork, Campaign, Period], Awaitable[Section]]


def table(
    key: str, columns: tuple[str, ...], counts: Mapping[int | None, tuple[int, ...]]
) -> Section:
    """A section of the units with any count, sorted by the columns in order, largest first."""
    rows = [Row(unit, values) for unit, values in counts.items() if any(values)]
    rows.sort(key=lambda r: (tuple(-v for v in r.values), r.unit_id or 0))
    return Section(key, columns, tuple(rows))


async def complaints(uow: UnitOfWork, campaign: Campaign, period: Period) -> Section:
    """Complaints per unit: overdue and still open at the period's end, received and
    closed within it (overdue first: it is what the bulletin is for)."""
    found = await BulletinRepo(uow).complaints(campaign.id, period.start, period.end)
    counts = {u: (c.overdue, c.received, c.closed, c.open) for u, c in found.items()}
    return table("complaints", ("overdue", "received", "closed", "open"), counts)


async def sample(uow: UnitOfWork, campaign: Campaign, period: Period) -> Section:
    """Questionnaires submitted per unit: within the period, and in all so far."""
    found = await BulletinRepo(uow).sample(campaign.id, period.start, period.end)
    counts: dict[int | None, tuple[int, ...]] = {u: (s.period, s.total) for u, s in found.items()}
    return table("sample", ("period", "total"), counts)


DUE_WITHIN_DAYS = 7  # "due" in a bulletin: a deadline within the coming week


async def rectification(uow: UnitOfWork, campaign: Campaign, period: Period) -> Section:
    """Rectification measures of approved plans per unit, as the period ends: late (not
    done, deadline passed), due within a week, done, and promised in all (late first)."""
    today = period.end.astimezone(ZoneInfo(campaign.timezone)).date()
    found = await RectificationRepo(uow).measures_due_and_late_per_unit(
        campaign.id, today, DUE_WITHIN_DAYS
    )
    counts: dict[int | None, tuple[int, ...]] = {
        u: (m.late, m.due, m.done, m.total) for u, m in found.items()
    }
    return table("rectification", ("late", "due", "done", "total"), counts)


# The sections of every bulletin, in order.
SOURCES: tuple[SectionSource, ...] = (complaints, rectification, sample)


async def compose(
    uow: UnitOfWork,
    campaign: Campaign,
    period: Period,
    number: int | None = None,
    sources: Sequence[SectionSource] = SOURCES,
) -> Bulletin:
    """The bulletin of `campaign` for `period`: every section, computed from the database."""
    sections = [await source(uow, campaign, period) for source in sources]
    return Bulletin(campaign, period, tuple(sections), number)
