"""Complaints in the database: the one module that speaks SQL for bot/complaints.

Reads go through the unit of work's session.  Every write runs in its own
transaction on the single writer (`UnitOfWork.run_exclusive`), and every state
change is a guarded UPDATE (``WHERE status IN …``), so two handlers pressing
"accept" at once, or a restart between deciding and sending, can never apply a
change twice.  The caller commits what its update staged before writing here
(the person's row must exist first); nothing here commits a unit of work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select, update

from storage.complaint_records import (
    ACTIVE,
    WITH_UNIT,
    Attachment,
    ComplaintRecord,
    Finding,
    Status,
    new_tracking,
    tracking_year,
)
from storage.models import Complaint, ComplaintCohandler, ComplaintDraft, ComplaintEntry, Grant
from storage.models import Finding as FindingRow
from storage.records import Role
from storage.uow import UnitOfWork

# Which flag records that a timed notice went out, by the column that times it.
_SENT_FLAG = {"remind_at": Complaint.reminded_at, "due_at": Complaint.escalated_at}

_COLUMNS = [getattr(Complaint, name) for name in ComplaintRecord.__dataclass_fields__]


def due_query(now: dt.datetime, column: str, limit: int) -> Select[Any]:
    """Active complaints whose reminder (`remind_at`) or deadline (`due_at`) has passed
    and whose notice was not sent: a range on the (status, column) index."""
    timed = getattr(Complaint, column)
    # Reminders go to a unit's handlers; escalation goes to the centre from any active state.
    statuses = WITH_UNIT if column == "remind_at" else ACTIVE
    return (
        select(*_COLUMNS)
        .where(Complaint.status.in_(statuses), timed < now, _SENT_FLAG[column].is_(None))
        .order_by(timed)
        .limit(limit)
    )


class ComplaintRepo:
    """Complaints, their entries and drafts, within one unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    # -- reads -------------------------------------------------------------------------------

    async def _records(self, stmt: Select[Any]) -> list[ComplaintRecord]:
        """The complaints a query over `_COLUMNS` returns."""
        return [ComplaintRecord(*row) for row in await self.uow.session.execute(stmt)]

    async def get(self, complaint_id: int) -> ComplaintRecord | None:
        """One complaint by its row id (kept server-side, e.g. in a conversation)."""
        found = await self._records(select(*_COLUMNS).where(Complaint.id == complaint_id))
        return found[0] if found else None

    async def by_tracking(self, tracking: str) -> ComplaintRecord | None:
        """One complaint by its tracking number (what buttons carry)."""
        found = await self._records(select(*_COLUMNS).where(Complaint.tracking == tracking))
        return found[0] if found else None

    async def of_complainant(self, rid: int, limit: int = 20) -> list[ComplaintRecord]:
        """A citizen's own complaints, newest first."""
        stmt = select(*_COLUMNS).where(Complaint.complainant_id == rid)
        return await self._records(stmt.order_by(Complaint.id.desc()).limit(limit))

    async def of_units(self, unit_ids: set[int], limit: int = 30) -> list[ComplaintRecord]:
        """Open complaints of these units, most urgent first."""
        if not unit_ids:
            return []
        stmt = select(*_COLUMNS).where(
            Complaint.unit_id.in_(unit_ids), Complaint.status.in_(ACTIVE)
        )
        return await self._records(stmt.order_by(Complaint.due_at).limit(limit))

    async def in_triage(self, limit: int = 30) -> list[ComplaintRecord]:
        """Complaints waiting at the centre, oldest first."""
        stmt = select(*_COLUMNS).where(Complaint.status == Status.TRIAGE)
        return await self._records(stmt.order_by(Complaint.filed_at).limit(limit))

    async def attachments(self, complaint_id: int) -> tuple[Attachment, ...]:
        """The citizen's evidence files of a complaint, in the order sent (a co-handling
        unit's files belong to its part, not to the evidence)."""
        stmt = (
            select(ComplaintEntry.kind, ComplaintEntry.file_id)
            .where(
                ComplaintEntry.complaint_id == complaint_id,
                ComplaintEntry.kind.in_(("photo", "document")),
                ComplaintEntry.author == "citizen",
            )
            .order_by(ComplaintEntry.id)
        )
        return tuple(Attachment(k, f) for k, f in await self.uow.session.execute(stmt) if f)

    async def cohandlers(self, complaint_id: int) -> list[int]:
        """The co-handling units of a complaint (共同办理), in the order added."""
        c = ComplaintCohandler
        stmt = select(c.unit_id).where(c.complaint_id == complaint_id).order_by(c.added_at)
        return list((await self.uow.session.execute(stmt)).scalars())

    async def cohandled(self, unit_ids: set[int], limit: int = 30) -> list[ComplaintRecord]:
        """Open complaints these units co-handle, most urgent first."""
        if not unit_ids:
            return []
        c = ComplaintCohandler
        stmt = select(*_COLUMNS).where(
            Complaint.id.in_(select(c.complaint_id).where(c.unit_id.in_(unit_ids))),
            Complaint.status.in_(WITH_UNIT),
        )
        return await self._records(stmt.order_by(Complaint.due_at).limit(limit))

    async def handlers_of(self, unit_id: int | None) -> list[int]:
        """Telegram ids of the handlers registered for a unit (none without a unit)."""
        if unit_id is None:
            return []
        stmt = select(Grant.user_id).where(
            Grant.role == Role.HANDLER.value, Grant.unit_id == unit_id
        )
        return sorted(set((await self.uow.session.execute(stmt)).scalars()))

    async def load_draft(self, rid: int) -> dict[str, Any] | None:
        """The citizen's draft as stored (JSON), if any."""
        stmt = select(ComplaintDraft.data).where(ComplaintDraft.respondent_id == rid)
        data = (await self.uow.session.execute(stmt)).scalar_one_or_none()
        return None if data is None else dict(data)

    # -- writes (each in its own transaction on the writer) ------------------------------------

    async def save_draft(self, rid: int, draft: dict[str, Any], now: dt.datetime) -> None:
        """Store (replace) the citizen's draft."""

        def write(conn: Connection) -> None:
            conn.execute(delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid))
            conn.execute(
                insert(ComplaintDraft).values(respondent_id=rid, data=draft, updated_at=now)
            )

        await self.uow.run_exclusive(write)

    async def drop_draft(self, rid: int) -> None:
        """Forget the citizen's draft."""
        await self.uow.run_exclusive(
            lambda conn: conn.execute(
                delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid)
            )
        )

    async def file(
        self,
        rid: int,
        attachments: tuple[Attachment, ...],
        values: dict[str, Any],
        tracking: str,
        now: dt.datetime,
    ) -> int:
        """Insert the complaint and its evidence, drop the draft; the new complaint's id.

        `tracking` is replaced by a fresh one of the same year in the unlikely case
        it is taken.
        """

        def write(conn: Connection) -> int:
            number = tracking
            while conn.execute(select(Complaint.id).where(Complaint.tracking == number)).first():
                number = new_tracking(tracking_year(tracking))
            complaint_id: int = conn.execute(
                insert(Complaint)
                .values(tracking=number, complainant_id=rid, filed_at=now, updated_at=now, **values)
                .returning(Complaint.id)
            ).scalar_one()
            for item in attachments:
                _add_entry(conn, complaint_id, "citizen", item.kind, now, "", item.file_id)
            conn.execute(delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid))
            return complaint_id

        return await self.uow.run_exclusive(write)

    async def change(
        self, complaint_id: int, expect: dict[str, Any], now: dt.datetime, **values: Any
    ) -> bool:
        """Update a complaint if its columns still hold `expect`; False if they no longer do.

        An `expect` value that is a tuple means "one of these"; None means NULL.
        """
        return await self.uow.run_exclusive(
            lambda conn: _change(conn, complaint_id, expect, now, values)
        )

    async def add_entry(
        self,
        complaint_id: int,
        author: str,
        kind: str,
        now: dt.datetime,
        text: str = "",
        file_id: str | None = None,
    ) -> None:
        """Append evidence or a message to a complaint (`author` is a role, never a person)."""
        await self.uow.run_exclusive(
            lambda conn: _add_entry(conn, complaint_id, author, kind, now, text, file_id)
        )

    async def add_cohandler(
        self, complaint_id: int, unit_id: int, by: int, now: dt.datetime
    ) -> bool:
        """Make `unit_id` a co-handling unit of the complaint; False if it already is."""

        def write(conn: Connection) -> bool:
            c = ComplaintCohandler
            found = select(c.unit_id).where(c.complaint_id == complaint_id, c.unit_id == unit_id)
            if conn.execute(found).first() is not None:
                return False
            values = {"complaint_id": complaint_id, "unit_id": unit_id}
            conn.execute(insert(c).values(added_by=by, added_at=now, **values))
            return True

        return await self.uow.run_exclusive(write)

    async def add_part(
        self,
        complaint_id: int,
        unit_id: int,
        now: dt.datetime,
        text: str,
        files: tuple[Attachment, ...],
    ) -> None:
        """A co-handling unit's part: its files, then its text, in one transaction
        (`author` is the handler role; `unit_id` says which unit, never who)."""

        def write(conn: Connection) -> None:
            for item in files:
                _add_entry(conn, complaint_id, "handler", item.kind, now, "", item.file_id, unit_id)
            _add_entry(conn, complaint_id, "handler", "part", now, text, None, unit_id)

        await self.uow.run_exclusive(write)

    async def close(
        self,
        record: ComplaintRecord,
        expect: dict[str, Any],
        now: dt.datetime,
        values: dict[str, Any],
        finding: Finding | None,
        actor: int,
    ) -> bool:
        """Close the complaint (guarded) and, in the same transaction, record its finding."""

        def write(conn: Connection) -> bool:
            closed = _change(conn, record.id, expect, now, values)
            if closed and finding is not None:
                _record_finding(conn, record, finding, actor, now)
            return closed

        return await self.uow.run_exclusive(write)

    async def reopen(
        self, record: ComplaintRecord, expect: dict[str, Any], now: dt.datetime, **values: Any
    ) -> bool:
        """Reopen (guarded); the earlier finding no longer stands (a new close records anew)."""

        def write(conn: Connection) -> bool:
            done = _change(conn, record.id, expect, now, values)
            if done:
                conn.execute(
                    delete(FindingRow).where(
                        FindingRow.source == "complaint", FindingRow.reference == record.tracking
                    )
                )
            return done

        return await self.uow.run_exclusive(write)

    async def claim_due(self, now: dt.datetime, column: str, limit: int) -> list[ComplaintRecord]:
        """Mark and return complaints whose reminder (or escalation) is due, each only once.

        `column` is ``remind_at`` (reminders) or ``due_at`` (escalation).  The rows
        are found through the (status, remind_at) / (status, due_at) indexes and
        the fact is stored in the same transaction that decides to send, so a
        restart never sends a notice twice.
        """
        flag = _SENT_FLAG[column]

        def write(conn: Connection) -> list[ComplaintRecord]:
            claimed: list[ComplaintRecord] = []
            for row in conn.execute(due_query(now, column, limit)).all():
                values: dict[str, Any] = {flag.key: now}
                if column == "due_at":
                    values["overdue"] = True
                stmt = update(Complaint).where(Complaint.id == row.id, flag.is_(None))
                if conn.execute(stmt.values(**values)).rowcount:
                    claimed.append(ComplaintRecord(*row))
            return claimed

        return await self.uow.run_exclusive(write)


def _change(
    conn: Connection,
    complaint_id: int,
    expect: dict[str, Any],
    now: dt.datetime,
    values: dict[str, Any],
) -> bool:
    """The guarded UPDATE: applied only while the columns hold `expect`."""
    stmt = update(Complaint).where(Complaint.id == complaint_id)
    for column, value in expect.items():
        col = getattr(Complaint, column)
        if isinstance(value, tuple):
            stmt = stmt.where(col.in_(value))
        elif value is None:
            stmt = stmt.where(col.is_(None))
        else:
            stmt = stmt.where(col == value)
    return bool(conn.execute(stmt.values(updated_at=now, **values)).rowcount)


def _add_entry(
    conn: Connection,
    complaint_id: int,
    author: str,
    kind: str,
    now: dt.datetime,
    text: str,
    file_id: str | None,
    unit_id: int | None = None,
) -> None:
    """Insert one entry: evidence, added information, a question, an answer, a part."""
    conn.execute(
        insert(ComplaintEntry).values(
            complaint_id=complaint_id,
            author=author,
            kind=kind,
            text=text,
            file_id=file_id,
            at=now,
            unit_id=unit_id,
        )
    )


def _record_finding(
    conn: Connection, record: ComplaintRecord, finding: Finding, actor: int, now: dt.datetime
) -> None:
    """A substantiated (or partly) complaint becomes a finding against its unit."""
    assert record.unit_id is not None
    conn.execute(
        insert(FindingRow).values(
            campaign_id=record.campaign_id,
            unit_id=record.unit_id,
            component=finding.component,
            source="complaint",
            reference=record.tracking,
            points_x100=finding.points_x100,
            note=record.kind,
            recorded_by=actor,
            recorded_at=now,
        )
    )
