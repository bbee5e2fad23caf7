"""Inspectors' findings, stored: recorded, confirmed (with the deduction it feeds) or
rejected, and corrected by the unit.  Decisions are audited in their own transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from storage.access import write_audit
from storage.models import Finding, Inspection
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class InspectionRecord:
    """One finding as the engine sees it (the inspector's id stays in storage's rows and
    in this record; what goes to a unit is built without it)."""

    id: int
    campaign_id: str
    unit_id: int
    kind: str
    seen: str
    points_x100: int | None
    files: list[list[str]]
    inspector: int
    status: str
    decision: str | None
    correction: str | None


_I = Inspection
_COLUMNS = (
    _I.id,
    _I.campaign_id,
    _I.unit_id,
    _I.kind,
    _I.seen,
    _I.points_x100,
    _I.files,
    _I.inspector,
    _I.status,
    _I.decision,
    _I.correction,
)


@dataclass(frozen=True)
class NewInspection:
    """A finding as an inspector records it."""

    campaign_id: str
    unit_id: int
    kind: str
    seen: str
    points_x100: int | None
    files: list[list[str]]


class InspectionsRepo:
    """Findings of inspectors."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def record(self, new: NewInspection, inspector: int, now: dt.datetime) -> int:
        """Store a pending finding; its id."""

        def write(conn: Connection) -> int:
            row = dict(new.__dict__, inspector=inspector, recorded_at=now, status="pending")
            return int(conn.execute(insert(_I).values(**row).returning(_I.id)).scalar_one())

        return await self.uow.run_exclusive(write)

    async def get(self, inspection_id: int) -> InspectionRecord | None:
        """One finding, or None."""
        row = (
            await self.uow.session.execute(select(*_COLUMNS).where(_I.id == inspection_id))
        ).one_or_none()
        return None if row is None else InspectionRecord(*row)

    async def decide(
        self,
        inspection_id: int,
        confirmed: bool,
        reason: str,
        component: str | None,
        actor: int,
        now: dt.datetime,
    ) -> InspectionRecord | None:
        """Confirm (a finding with points becomes a deduction on `component`) or reject a
        pending finding, audited; None if there is no pending finding with that id."""

        def write(conn: Connection) -> InspectionRecord | None:
            row = conn.execute(
                select(*_COLUMNS).where(_I.id == inspection_id, _I.status == "pending")
            ).one_or_none()
            if row is None:
                return None
            status = "confirmed" if confirmed else "rejected"
            conn.execute(
                update(_I)
                .where(_I.id == inspection_id)
                .values(status=status, decided_by=actor, decided_at=now, decision=reason)
            )
            found = InspectionRecord(*row)
            if confirmed and component is not None and found.points_x100 is not None:
                conn.execute(
                    insert(Finding).values(
                        campaign_id=found.campaign_id,
                        unit_id=found.unit_id,
                        component=component,
                        source="inspection",
                        reference=f"inspection #{inspection_id}",
                        points_x100=found.points_x100,
                        note=found.seen,
                        recorded_by=actor,
                        recorded_at=now,
                    )
                )
            details: dict[str, object] = {"inspection": inspection_id, "status": status}
            write_audit(
                conn, now, actor, f"inspection_{status}", f"unit {found.unit_id}", reason, details
            )
            return found

        return await self.uow.run_exclusive(write)

    async def correct(self, inspection_id: int, text: str, now: dt.datetime) -> bool:
        """The unit's answer to a confirmed finding (what it corrected); False if none."""

        def write(conn: Connection) -> bool:
            done = conn.execute(
                update(_I)
                .where(_I.id == inspection_id, _I.status == "confirmed")
                .values(correction=text, corrected_at=now)
            )
            return bool(done.rowcount)

        return await self.uow.run_exclusive(write)

    async def of_campaign(self, campaign_id: str) -> list[InspectionRecord]:
        """Every finding of a campaign, oldest first."""
        rows = await self.uow.session.execute(
            select(*_COLUMNS).where(_I.campaign_id == campaign_id).order_by(_I.id)
        )
        return [InspectionRecord(*row) for row in rows]

    async def of_unit(self, campaign_id: str, unit_id: int) -> list[InspectionRecord]:
        """A unit's findings, oldest first."""
        rows = await self.uow.session.execute(
            select(*_COLUMNS)
            .where(_I.campaign_id == campaign_id, _I.unit_id == unit_id)
            .order_by(_I.id)
        )
        return [InspectionRecord(*row) for row in rows]
