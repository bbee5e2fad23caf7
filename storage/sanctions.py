"""Sanctions, stored: imposed by an evaluator with a reason, revoked by an admin with a
reason; each change is written with its audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from storage.access import write_audit
from storage.models import Sanction
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class SanctionRecord:
    """One sanction as the engine sees it."""

    id: int
    campaign_id: str
    unit_id: int
    kind: str  # worst | no-award
    reason: str
    imposed_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None


_COLUMNS = (
    Sanction.id,
    Sanction.campaign_id,
    Sanction.unit_id,
    Sanction.kind,
    Sanction.reason,
    Sanction.imposed_at,
    Sanction.revoked_at,
    Sanction.revoke_reason,
)


class SanctionsRepo:
    """Sanctions of campaigns; writes are audited and run in their own transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def impose(
        self,
        campaign_id: str,
        unit_id: int,
        kind: str,
        reason: str,
        actor: int | None,
        now: dt.datetime,
    ) -> int:
        """Record a sanction; returns its id."""

        def write(conn: Connection) -> int:
            new_id = conn.execute(
                insert(Sanction)
                .values(
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    kind=kind,
                    reason=reason,
                    imposed_by=actor,
                    imposed_at=now,
                )
                .returning(Sanction.id)
            ).scalar_one()
            details: dict[str, object] = {"sanction": new_id, "kind": kind}
            write_audit(conn, now, actor, "sanction", f"unit {unit_id}", reason, details)
            return int(new_id)

        return await self.uow.run_exclusive(write)

    async def revoke(
        self, sanction_id: int, reason: str, actor: int | None, now: dt.datetime
    ) -> SanctionRecord | None:
        """Revoke a sanction in force; None if there is none with that id in force."""

        def write(conn: Connection) -> SanctionRecord | None:
            row = conn.execute(
                select(*_COLUMNS).where(Sanction.id == sanction_id, Sanction.revoked_at.is_(None))
            ).one_or_none()
            if row is None:
                return None
            conn.execute(
                update(Sanction)
                .where(Sanction.id == sanction_id)
                .values(revoked_by=actor, revoked_at=now, revoke_reason=reason)
            )
            details: dict[str, object] = {"sanction": sanction_id, "kind": row.kind}
            subject = f"unit {row.unit_id}"
            write_audit(conn, now, actor, "sanction_revoke", subject, reason, details)
            return SanctionRecord(*row)

        return await self.uow.run_exclusive(write)

    async def in_force(self, campaign_id: str) -> list[SanctionRecord]:
        """The campaign's sanctions not revoked, oldest first."""
        rows = await self.uow.session.execute(
            select(*_COLUMNS)
            .where(Sanction.campaign_id == campaign_id, Sanction.revoked_at.is_(None))
            .order_by(Sanction.id)
        )
        return [SanctionRecord(*row) for row in rows]
