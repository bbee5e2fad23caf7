"""Access control's tables: grants, single-use codes, respondent categories, the audit log.

Roles are plain strings here (bot/access/service.py gives them their enum).
Writes run inside a transaction given by the writer (`uow.run_exclusive`): a
grant or a code and its audit entry are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, select, update

from storage.models import AuditEntry, Code, Grant, Membership
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry: who did what, when and why."""

    at: dt.datetime
    actor: int | None  # None: the command line
    action: str
    subject: str
    reason: str
    details: dict[str, Any]


@dataclass(frozen=True)
class CodeRecord:
    """A single-use code as stored."""

    code: str
    role: str | None
    unit_id: int | None
    campaign_id: str | None
    category: str | None
    expires_at: dt.datetime | None
    used_by: int | None
    panel_units: list[int] | None = None


@dataclass(frozen=True)
class NewCodes:
    """A batch of codes to issue, all carrying the same thing."""

    codes: list[str]
    role: str | None
    unit_id: int | None
    campaign_id: str | None
    category: str | None
    expires_at: dt.datetime | None
    panel_units: list[int] | None = None


async def grants(uow: UnitOfWork, user_id: int) -> list[tuple[str, int | None]]:
    """Every (role, unit id) the user holds by grant."""
    rows = await uow.session.execute(
        select(Grant.role, Grant.unit_id).where(Grant.user_id == user_id)
    )
    return [(str(role), unit_id) for role, unit_id in rows]


async def audit_log(uow: UnitOfWork, limit: int) -> list[AuditRecord]:
    """The latest audit entries, newest first."""
    rows = await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [
        AuditRecord(e.at, e.actor, e.action, e.subject, e.reason, dict(e.details or {}))
        for e in rows.scalars()
    ]


def write_audit(
    conn: Connection,
    now: dt.datetime,
    actor: int | None,
    action: str,
    subject: str,
    reason: str,
    details: dict[str, object] | None = None,
) -> None:
    """One audit entry, in the caller's transaction."""
    conn.execute(
        insert(AuditEntry).values(
            at=now,
            actor=actor,
            action=action,
            subject=subject,
            reason=reason,
            details=details or {},
        )
    )


def insert_grant(
    conn: Connection,
    user_id: int,
    role: str,
    unit_id: int | None,
    by: int | None,
    now: dt.datetime,
) -> bool:
    """Give the role unless it is held already; True if it was given."""
    if conn.execute(select(Grant.id).where(*_grant_is(user_id, role, unit_id))).first():
        return False
    conn.execute(
        insert(Grant).values(
            user_id=user_id, role=role, unit_id=unit_id, granted_by=by, granted_at=now
        )
    )
    return True


def delete_grant(conn: Connection, user_id: int, role: str, unit_id: int | None) -> bool:
    """Take the role away; False if it was not held."""
    gone = conn.execute(delete(Grant).where(*_grant_is(user_id, role, unit_id)))
    return bool(gone.rowcount)


def _grant_is(user_id: int, role: str, unit_id: int | None) -> list[ColumnElement[bool]]:
    """The WHERE clause matching one grant."""
    unit = Grant.unit_id.is_(None) if unit_id is None else Grant.unit_id == unit_id
    return [Grant.user_id == user_id, Grant.role == role, unit]


def insert_codes(conn: Connection, batch: NewCodes, by: int | None, now: dt.datetime) -> None:
    """Store a batch of fresh codes."""
    carried = {
        "campaign_id": batch.campaign_id,
        "category": batch.category,
        "role": batch.role,
        "unit_id": batch.unit_id,
        "expires_at": batch.expires_at,
        "panel_units": batch.panel_units,
    }
    conn.execute(
        insert(Code),
        [{"code": c, "created_by": by, "created_at": now, **carried} for c in batch.codes],
    )


def find_code(conn: Connection, code: str) -> CodeRecord | None:
    """A code as stored, or None."""
    found = conn.execute(select(Code.__table__).where(Code.code == code)).first()
    if found is None:
        return None
    return CodeRecord(
        found.code,
        found.role,
        found.unit_id,
        found.campaign_id,
        found.category,
        found.expires_at,
        found.used_by,
        found.panel_units,
    )


def take_code(conn: Connection, code: str, user_id: int, now: dt.datetime) -> bool:
    """Bind an unused code to `user_id` for good; False if someone took it first."""
    taken = conn.execute(
        update(Code)
        .where(Code.code == code, Code.used_by.is_(None))
        .values(used_by=user_id, used_at=now)
    )
    return bool(taken.rowcount)


def set_category(
    conn: Connection,
    user_id: int,
    campaign_id: str,
    category: str,
    now: dt.datetime,
    panel_units: list[int] | None = None,
) -> None:
    """Put a respondent in a campaign's category (replacing the one they had), on the
    panels of `panel_units` (None: every unit's)."""
    conn.execute(
        delete(Membership).where(
            Membership.respondent_id == user_id, Membership.campaign_id == campaign_id
        )
    )
    conn.execute(
        insert(Membership).values(
            respondent_id=user_id,
            campaign_id=campaign_id,
            category=category,
            granted_at=now,
            panel_units=panel_units,
        )
    )


def end_membership(conn: Connection, user_id: int, campaign_id: str) -> str | None:
    """Take a respondent out of their category in a campaign; the category they had."""
    m = Membership
    had = conn.execute(
        select(m.category).where(m.respondent_id == user_id, m.campaign_id == campaign_id)
    ).scalar_one_or_none()
    if had is not None:
        conn.execute(delete(m).where(m.respondent_id == user_id, m.campaign_id == campaign_id))
    return had
