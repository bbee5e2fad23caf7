"""Reading and writing complaints: reads through the unit of work, writes on the writer.

Every state change is a guarded UPDATE (``WHERE status = …``) run through
`UnitOfWork.run_exclusive`, so two handlers pressing "accept" at once, or a
restart between deciding and sending, can never apply a change twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select, update

from bot.access.service import CODE_ALPHABET, Role
from bot.complaints.flow import Attachment, Draft
from storage.models import Complaint, ComplaintDraft, ComplaintEntry, Finding, Grant
from storage.uow import UnitOfWork

ACTIVE = ("triage", "open", "accepted")
TRACKING_PREFIX = "TS"


@dataclass(frozen=True)
class ComplaintRecord:
    """A complaint row; `complainant_id` stays inside the engine."""

    id: int
    tracking: str
    campaign_id: str
    unit_id: int | None
    complainant_id: int
    kind: str
    text: str
    contact: str | None
    case_class: str
    status: str
    filed_at: dt.datetime
    due_at: dt.datetime
    due_estimated: bool
    remind_at: dt.datetime
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None
    overdue: bool
    accepted_at: dt.datetime | None
    extension_reason: str | None
    transfer_reason: str | None
    closed_at: dt.datetime | None
    verdict: str | None
    result: str | None
    rating: str | None
    review: str | None


_COLUMNS = [getattr(Complaint, name) for name in ComplaintRecord.__dataclass_fields__]


def new_tracking(year: int) -> str:
    """A tracking number such as TS11-K7F3-9QXM: short, unambiguous, not guessable."""
    tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{TRACKING_PREFIX}{year % 100:02d}-{tail[:4]}-{tail[4:]}"


def normalize_tracking(text: str) -> str:
    """A typed tracking number as stored (upper case, dashes where they belong)."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != 12:
        return raw
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# -- reads ---------------------------------------------------------------------------------


async def get(uow: UnitOfWork, complaint_id: int) -> ComplaintRecord | None:
    """One complaint by id."""
    row = (await uow.session.execute(select(*_COLUMNS).where(Complaint.id == complaint_id))).first()
    return None if row is None else ComplaintRecord(*row)


async def of_complainant(uow: UnitOfWork, rid: int, limit: int = 20) -> list[ComplaintRecord]:
    """A citizen's own complaints, newest first."""
    stmt = (
        select(*_COLUMNS)
        .where(Complaint.complainant_id == rid)
        .order_by(Complaint.id.desc())
        .limit(limit)
    )
    return [ComplaintRecord(*row) for row in await uow.session.execute(stmt)]


async def of_units(uow: UnitOfWork, unit_ids: set[int], limit: int = 30) -> list[ComplaintRecord]:
    """Open complaints of these units, most urgent first."""
    if not unit_ids:
        return []
    stmt = (
        select(*_COLUMNS)
        .where(Complaint.unit_id.in_(unit_ids), Complaint.status.in_(ACTIVE))
        .order_by(Complaint.due_at)
        .limit(limit)
    )
    return [ComplaintRecord(*row) for row in await uow.session.execute(stmt)]


async def in_triage(uow: UnitOfWork, limit: int = 30) -> list[ComplaintRecord]:
    """Complaints waiting at the centre, oldest first."""
    stmt = (
        select(*_COLUMNS)
        .where(Complaint.status == "triage")
        .order_by(Complaint.filed_at)
        .limit(limit)
    )
    return [ComplaintRecord(*row) for row in await uow.session.execute(stmt)]


async def attachments(uow: UnitOfWork, complaint_id: int) -> tuple[Attachment, ...]:
    """Evidence files of a complaint, in the order sent."""
    stmt = (
        select(ComplaintEntry.kind, ComplaintEntry.file_id)
        .where(
            ComplaintEntry.complaint_id == complaint_id,
            ComplaintEntry.kind.in_(("photo", "document")),
        )
        .order_by(ComplaintEntry.id)
    )
    return tuple(Attachment(k, f) for k, f in await uow.session.execute(stmt) if f)


async def handlers_of(uow: UnitOfWork, unit_id: int) -> list[int]:
    """Telegram ids of the handlers registered for a unit."""
    stmt = select(Grant.user_id).where(Grant.role == Role.HANDLER.value, Grant.unit_id == unit_id)
    return sorted(set((await uow.session.execute(stmt)).scalars()))


async def load_draft(uow: UnitOfWork, rid: int) -> Draft | None:
    """The citizen's draft, if any."""
    stmt = select(ComplaintDraft.data).where(ComplaintDraft.respondent_id == rid)
    data = (await uow.session.execute(stmt)).scalar_one_or_none()
    return None if data is None else Draft.from_json(dict(data))


# -- writes (each runs in its own transaction on the writer) ------------------------------


def save_draft(rid: int, draft: Draft, now: dt.datetime) -> Callable[[Connection], None]:
    """Store (replace) the citizen's draft."""

    def write(conn: Connection) -> None:
        conn.execute(delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid))
        conn.execute(
            insert(ComplaintDraft).values(respondent_id=rid, data=draft.to_json(), updated_at=now)
        )

    return write


def drop_draft(rid: int) -> Callable[[Connection], None]:
    """Forget the citizen's draft."""

    def write(conn: Connection) -> None:
        conn.execute(delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid))

    return write


def file_complaint(
    rid: int, draft: Draft, values: dict[str, Any], tracking: str, now: dt.datetime
) -> Callable[[Connection], tuple[int, str]]:
    """Insert the complaint and its evidence, drop the draft; (id, tracking number).

    `tracking` is replaced by a fresh one of the same year in the unlikely case it is taken.
    """
    year = int(tracking[len(TRACKING_PREFIX) : len(TRACKING_PREFIX) + 2])

    def write(conn: Connection) -> tuple[int, str]:
        number = tracking
        while conn.execute(select(Complaint.id).where(Complaint.tracking == number)).first():
            number = new_tracking(year)
        complaint_id = conn.execute(
            insert(Complaint)
            .values(tracking=number, complainant_id=rid, filed_at=now, updated_at=now, **values)
            .returning(Complaint.id)
        ).scalar_one()
        for attachment in draft.attachments:
            conn.execute(
                insert(ComplaintEntry).values(
                    complaint_id=complaint_id,
                    author="citizen",
                    kind=attachment.kind,
                    text="",
                    file_id=attachment.file_id,
                    at=now,
                )
            )
        conn.execute(delete(ComplaintDraft).where(ComplaintDraft.respondent_id == rid))
        return complaint_id, number

    return write


def change(
    complaint_id: int, expect: dict[str, Any], now: dt.datetime, **values: Any
) -> Callable[[Connection], bool]:
    """Update a complaint if its columns still hold `expect`; False if they no longer do."""

    def write(conn: Connection) -> bool:
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

    return write


def add_entry(
    conn: Connection,
    complaint_id: int,
    author: str,
    kind: str,
    now: dt.datetime,
    text: str = "",
    file_id: str | None = None,
) -> None:
    """Append evidence or a message to a complaint."""
    conn.execute(
        insert(ComplaintEntry).values(
            complaint_id=complaint_id, author=author, kind=kind, text=text, file_id=file_id, at=now
        )
    )


def record_finding(
    conn: Connection,
    record: ComplaintRecord,
    component: str,
    points_x100: int,
    actor: int | None,
    now: dt.datetime,
) -> None:
    """A substantiated (or partly) complaint becomes a finding against its unit."""
    assert record.unit_id is not None
    conn.execute(
        insert(Finding).values(
            campaign_id=record.campaign_id,
            unit_id=record.unit_id,
            component=component,
            source="complaint",
            reference=record.tracking,
            points_x100=points_x100,
            note=record.kind,
            recorded_by=actor,
            recorded_at=now,
        )
    )


def withdraw_findings(conn: Connection, tracking: str) -> None:
    """A reopened complaint's earlier finding no longer stands (a new close records anew)."""
    conn.execute(
        delete(Finding).where(Finding.source == "complaint", Finding.reference == tracking)
    )


# -- the reminder/escalation task ------------------------------------------------------------


def due_query(now: dt.datetime, column: str, limit: int) -> Select[Any]:
    """Active complaints whose reminder (`remind_at`) or deadline (`due_at`) has passed
    and whose notice was not sent: a range on the (status, column) index."""
    timed = getattr(Complaint, column)
    flag = Complaint.reminded_at if column == "remind_at" else Complaint.escalated_at
    statuses = ("open", "accepted") if column == "remind_at" else ACTIVE
    return (
        select(*_COLUMNS)
        .where(Complaint.status.in_(statuses), timed < now, flag.is_(None))
        .order_by(timed)
        .limit(limit)
    )


def claim_due(
    now: dt.datetime, column: str, limit: int
) -> Callable[[Connection], list[ComplaintRecord]]:
    """Mark and return complaints whose reminder (or escalation) is due, each only once.

    `column` is ``remind_at`` (reminders) or ``due_at`` (escalation).  The rows
    are found through the (status, remind_at) / (status, due_at) indexes and
    the fact is stored in the same transaction that decides to send, so a
    restart never sends a notice twice.
    """
    flag = Complaint.reminded_at if column == "remind_at" else Complaint.escalated_at

    def write(conn: Connection) -> list[ComplaintRecord]:
        claimed: list[ComplaintRecord] = []
        for row in conn.execute(due_query(now, column, limit)).all():
            values: dict[str, Any] = {flag.key: now}
            if column == "due_at":
                values["overdue"] = True
            done = conn.execute(
                update(Complaint).where(Complaint.id == row.id, flag.is_(None)).values(**values)
            )
            if done.rowcount:
                claimed.append(ComplaintRecord(*row))
        return claimed

    return write
