"""What evaluators enter, stored: marks for manual components, bonus points, inspection
findings.  Each entry is written with its audit entry in one transaction; amounts are
kept in hundredths."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from storage.access import write_audit
from storage.models import Bonus, Finding, Mark
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class MarkEntry:
    """One mark to store (checked against the campaign file by the engine)."""

    campaign_id: str
    unit_id: int
    component: str
    label: str
    score_x100: int
    note: str = ""


@dataclass(frozen=True)
class PointsEntry:
    """Bonus points for a unit, or an inspection finding's deduction (with its component)."""

    campaign_id: str
    unit_id: int
    points_x100: int
    text: str  # the bonus's reason, or the finding's note
    component: str | None = None  # findings only: the deduction component


class EntriesRepo:
    """Evaluators' entries; each write is its own audited transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def store_marks(
        self, entries: list[MarkEntry], actor: int | None, now: dt.datetime
    ) -> int:
        """Store marks (one occasion's mark again replaces it); returns how many."""

        def write(conn: Connection) -> int:
            for e in entries:
                _upsert_mark(conn, e, actor, now)
            if entries:
                listed = [[e.unit_id, e.component, e.label, e.score_x100] for e in entries[:50]]
                subject = f"{len(entries)} mark(s)"
                write_audit(conn, now, actor, "marks", subject, "", {"marks": listed})
            return len(entries)

        return await self.uow.run_exclusive(write)

    async def add_bonus(self, entry: PointsEntry, actor: int | None, now: dt.datetime) -> None:
        """Give a unit bonus points, with the reason."""
        values = {
            "campaign_id": entry.campaign_id,
            "unit_id": entry.unit_id,
            "points_x100": entry.points_x100,
            "reason": entry.text,
            "given_by": actor,
            "given_at": now,
        }
        details: dict[str, object] = {"points_x100": entry.points_x100}
        await self._insert_audited(Bonus, values, actor, now, "bonus", entry, details)

    async def add_finding(self, entry: PointsEntry, actor: int | None, now: dt.datetime) -> None:
        """Record an inspection finding against a deduction component."""
        values = {
            "campaign_id": entry.campaign_id,
            "unit_id": entry.unit_id,
            "component": entry.component,
            "source": "inspection",
            "reference": None,
            "points_x100": entry.points_x100,
            "note": entry.text,
            "recorded_by": actor,
            "recorded_at": now,
        }
        details: dict[str, object] = {
            "points_x100": entry.points_x100,
            "component": entry.component,
        }
        await self._insert_audited(Finding, values, actor, now, "finding", entry, details)

    async def _insert_audited(
        self,
        table: type[Bonus] | type[Finding],
        values: dict[str, Any],
        actor: int | None,
        now: dt.datetime,
        action: str,
        entry: PointsEntry,
        details: dict[str, object],
    ) -> None:
        """Insert one row and its audit entry in one transaction."""

        def write(conn: Connection) -> None:
            conn.execute(insert(table).values(**values))
            write_audit(conn, now, actor, action, f"unit {entry.unit_id}", entry.text, details)

        await self.uow.run_exclusive(write)


def _upsert_mark(conn: Connection, e: MarkEntry, actor: int | None, now: dt.datetime) -> None:
    """Insert a mark, or replace the one of the same occasion (portable: select, then write)."""
    m = Mark
    found = conn.execute(
        select(m.id).where(
            m.campaign_id == e.campaign_id,
            m.unit_id == e.unit_id,
            m.component == e.component,
            m.label == e.label,
        )
    ).scalar_one_or_none()
    values = {"score_x100": e.score_x100, "note": e.note, "recorded_by": actor, "recorded_at": now}
    if found is None:
        conn.execute(
            insert(m).values(
                campaign_id=e.campaign_id,
                unit_id=e.unit_id,
                component=e.component,
                label=e.label,
                **values,
            )
        )
    else:
        conn.execute(update(m).where(m.id == found).values(**values))
