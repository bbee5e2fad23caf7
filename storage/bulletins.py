"""Bulletins in the database: the figures a bulletin reports, and the record of each one sent.

The figures are aggregating queries over complaints and questionnaires for one
campaign and one period ``[start, end)``.  `claim` writes a bulletin's row before
anything is sent: a scheduled slot is unique per campaign, so two workers, or a
restart after the row was written, never send it twice (at most once, like the
complaint reminders).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.complaint_records import ACTIVE, Status
from storage.models import Bulletin, Complaint, Grant, Submission
from storage.records import Role
from storage.scoring import overdue_clause
from storage.uow import UnitOfWork


@dataclass
class UnitComplaints:
    """One unit's complaints: received and closed in the period, overdue and open at its end."""

    received: int = 0
    closed: int = 0
    overdue: int = 0
    open: int = 0


@dataclass
class UnitSample:
    """One unit's questionnaires submitted (not voided): in the period, and in all."""

    period: int = 0
    total: int = 0


@dataclass(frozen=True)
class Claimed:
    """A bulletin row written: its id and the period it reports."""

    id: int
    start: dt.datetime
    end: dt.datetime


class BulletinRepo:
    """The bulletin's figures and the bulletins sent, within one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def last_end(self, campaign_id: str) -> dt.datetime | None:
        """Where the campaign's last bulletin's period ended (None: no bulletin yet)."""
        stmt = select(func.max(Bulletin.period_end)).where(Bulletin.campaign_id == campaign_id)
        found: dt.datetime | None = (await self.uow.session.execute(stmt)).scalar_one_or_none()
        return found

    async def has_slot(self, campaign_id: str, slot: str) -> bool:
        """Whether the bulletin of this scheduled slot was already claimed."""
        stmt = select(Bulletin.id).where(Bulletin.campaign_id == campaign_id, Bulletin.slot == slot)
        return (await self.uow.session.execute(stmt)).first() is not None

    async def claim(
        self,
        campaign_id: str,
        slot: str | None,
        first_start: dt.datetime,
        end: dt.datetime,
        requested_by: int | None,
    ) -> Claimed | None:
        """Write the bulletin's row (its period from the last bulletin's end, or
        `first_start`, to `end`); None if this slot's bulletin exists already."""

        def write(conn: Connection) -> Claimed | None:
            b = Bulletin
            if slot is not None:
                taken = select(b.id).where(b.campaign_id == campaign_id, b.slot == slot)
                if conn.execute(taken).first() is not None:
                    return None
            last = conn.execute(
                select(func.max(b.period_end)).where(b.campaign_id == campaign_id)
            ).scalar_one_or_none()
            start = min(last or first_start, end)
            values = {
                "campaign_id": campaign_id,
                "slot": slot,
                "period_start": start,
                "period_end": end,
                "requested_by": requested_by,
                "created_at": end,
            }
            new_id = conn.execute(insert(b).values(**values).returning(b.id)).scalar_one()
            return Claimed(int(new_id), start, end)

        try:
            return await self.uow.run_exclusive(write)
        except IntegrityError:  # another worker wrote the same slot between our look and insert
            return None

    async def complaints(
        self, campaign_id: str, start: dt.datetime, end: dt.datetime
    ) -> dict[int | None, UnitComplaints]:
        """Per unit (None: no unit named): received and closed within [start, end), overdue
        and open at `end`."""
        c, found = Complaint, defaultdict[int | None, UnitComplaints](UnitComplaints)
        session, mine = self.uow.session, Complaint.campaign_id == campaign_id
        counts = select(c.unit_id, func.count()).group_by(c.unit_id)
        received = counts.where(mine, c.filed_at >= start, c.filed_at < end)
        for unit, n in await session.execute(received):
            found[unit].received = n
        closed = counts.where(
            mine, c.status == Status.CLOSED, c.closed_at >= start, c.closed_at < end
        )
        for unit, n in await session.execute(closed):
            found[unit].closed = n
        for unit, n in await session.execute(counts.where(mine, overdue_clause(end))):
            found[unit].overdue = n
        for unit, n in await session.execute(counts.where(mine, c.status.in_(ACTIVE))):
            found[unit].open = n
        return dict(found)

    async def sample(
        self, campaign_id: str, start: dt.datetime, end: dt.datetime
    ) -> dict[int, UnitSample]:
        """Per unit: questionnaires submitted (not voided) within [start, end), and before `end`."""
        s, found = Submission, defaultdict[int, UnitSample](UnitSample)
        counted = (
            s.campaign_id == campaign_id,
            s.status == "submitted",
            s.voided.is_(False),
            s.submitted_at < end,
        )
        totals = select(s.unit_id, func.count()).where(*counted).group_by(s.unit_id)
        for unit, n in await self.uow.session.execute(totals):
            found[unit].total = n
        for unit, n in await self.uow.session.execute(totals.where(s.submitted_at >= start)):
            found[unit].period = n
        return dict(found)

    async def evaluators(self) -> list[int]:
        """Telegram ids of everyone granted the evaluator or admin role."""
        roles = (Role.EVALUATOR.value, Role.ADMIN.value)
        stmt = select(Grant.user_id).where(Grant.role.in_(roles))
        return sorted(set((await self.uow.session.execute(stmt)).scalars()))
