"""Roles, single-use codes and the audit log — one authorization layer for the bot.

Roles: admin (from ADMIN_IDS, or granted), evaluator, and handler of one unit.
Codes are single-use: redeeming one binds it to that account for good, and
grants what it carries — a respondent category in a campaign (评议代表) or a
role.  Every grant, revocation and code issue is written to the audit log with
who, when and why.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, insert, select, update

from bot.core.clock import Clock
from storage.models import AuditEntry, Code, Grant, Membership
from storage.uow import UnitOfWork

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class Role(StrEnum):
    """Privileged roles."""

    ADMIN = "admin"
    EVALUATOR = "evaluator"
    HANDLER = "handler"


@dataclass(frozen=True)
class GrantRecord:
    """One role held (handlers hold it for one unit)."""

    role: Role
    unit_id: int | None = None


@dataclass(frozen=True)
class Redeemed:
    """What redeeming a code did, or why it was refused (`refusal` set)."""

    refusal: str | None = None  # unknown | used | expired
    role: Role | None = None
    unit_id: int | None = None
    campaign_id: str | None = None
    category: str | None = None


def normalize_code(text: str) -> str:
    """A code as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class AccessService:
    """Answers "may this person do that?" and changes who may, with an audit trail."""

    def __init__(self, clock: Clock, admin_ids: list[int] | tuple[int, ...] = ()) -> None:
        """Admins from configuration always hold the admin role."""
        self.clock = clock
        self.admin_ids = frozenset(admin_ids)

    async def grants(self, uow: UnitOfWork, user_id: int) -> set[GrantRecord]:
        """Every role the user holds."""
        rows = await uow.session.execute(
            select(Grant.role, Grant.unit_id).where(Grant.user_id == user_id)
        )
        held = {GrantRecord(Role(role), unit_id) for role, unit_id in rows}
        if user_id in self.admin_ids:
            held.add(GrantRecord(Role.ADMIN))
        return held

    async def has(
        self, uow: UnitOfWork, user_id: int, role: Role, unit_id: int | None = None
    ) -> bool:
        """True if the user holds `role` (for handlers: for `unit_id`, or any unit if None)."""
        held = await self.grants(uow, user_id)
        if role is Role.HANDLER and unit_id is None:
            return any(g.role is Role.HANDLER for g in held)
        return GrantRecord(role, unit_id if role is Role.HANDLER else None) in held

    async def handled_units(self, uow: UnitOfWork, user_id: int) -> set[int]:
        """Units whose complaints this user handles."""
        return {
            g.unit_id
            for g in await self.grants(uow, user_id)
            if g.role is Role.HANDLER and g.unit_id is not None
        }

    async def grant(
        self,
        uow: UnitOfWork,
        actor: int | None,
        user_id: int,
        role: Role,
        unit_id: int | None = None,
        reason: str = "",
    ) -> bool:
        """Give a role (audited); False if the user already held it. Commits."""
        now = self.clock.now()

        def write(conn: Connection) -> bool:
            if not _insert_grant(conn, user_id, role, unit_id, actor, now):
                return False
            _audit(conn, now, actor, "grant", _subject(user_id, role, unit_id), reason)
            return True

        return await uow.run_exclusive(write)

    async def revoke(
        self,
        uow: UnitOfWork,
        actor: int | None,
        user_id: int,
        role: Role,
        unit_id: int | None = None,
        reason: str = "",
    ) -> bool:
        """Take a role away (audited); False if the user did not hold it. Commits."""
        now = self.clock.now()

        def write(conn: Connection) -> bool:
            gone = conn.execute(delete(Grant).where(*_grant_is(user_id, role, unit_id)))
            if not gone.rowcount:
                return False
            _audit(conn, now, actor, "revoke", _subject(user_id, role, unit_id), reason)
            return True

        return await uow.run_exclusive(write)

    async def issue_codes(
        self,
        uow: UnitOfWork,
        actor: int | None,
        count: int,
        *,
        role: Role | None = None,
        unit_id: int | None = None,
        campaign_id: str | None = None,
        category: str | None = None,
        expires_at: dt.datetime | None = None,
    ) -> list[str]:
        """Make `count` single-use codes for a role or a campaign category (audited)."""
        if (role is None) == (category is None):
            raise ValueError("a code carries either a role or a respondent category")
        if category is not None and campaign_id is None:
            raise ValueError("a category code needs its campaign")
        if role is Role.HANDLER and unit_id is None:
            raise ValueError("a handler code needs its unit")
        now, codes = self.clock.now(), [new_code() for _ in range(count)]

        def write(conn: Connection) -> list[str]:
            conn.execute(
                insert(Code),
                [
                    {
                        "code": c,
                        "campaign_id": campaign_id,
                        "category": category,
                        "role": role.value if role else None,
                        "unit_id": unit_id,
                        "created_by": actor,
                        "created_at": now,
                        "expires_at": expires_at,
                    }
                    for c in codes
                ],
            )
            what = f"role {role.value}" if role else f"category {category} of {campaign_id}"
            _audit(
                conn,
                now,
                actor,
                "issue_codes",
                what,
                "",
                {
                    "count": count,
                    "unit_id": unit_id,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                },
            )
            return codes

        return await uow.run_exclusive(write)

    async def redeem(self, uow: UnitOfWork, user_id: int, text: str) -> Redeemed:
        """Use a code: bind it to this account and grant what it carries. Commits."""
        code, now = normalize_code(text), self.clock.now()

        def write(conn: Connection) -> Redeemed:
            found = conn.execute(select(Code.__table__).where(Code.code == code)).first()
            if found is None:
                return Redeemed("unknown")
            if found.used_by is not None:
                return Redeemed("used_by_you" if found.used_by == user_id else "used")
            if found.expires_at is not None and found.expires_at <= now:
                return Redeemed("expired")
            taken = conn.execute(
                update(Code)
                .where(Code.code == code, Code.used_by.is_(None))
                .values(used_by=user_id, used_at=now)
            )
            if not taken.rowcount:
                return Redeemed("used")
            return _apply_code(conn, found, user_id, now)

        return await uow.run_exclusive(write)

    async def audit(
        self,
        uow: UnitOfWork,
        actor: int | None,
        action: str,
        subject: str,
        reason: str = "",
        details: dict[str, object] | None = None,
    ) -> None:
        """Write one audit entry on its own (for actions audited outside this service)."""
        now = self.clock.now()
        await uow.run_exclusive(
            lambda conn: _audit(conn, now, actor, action, subject, reason, details or {})
        )

    async def audit_log(self, uow: UnitOfWork, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        rows = await uow.session.execute(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        )
        return list(rows.scalars())


def _apply_code(conn: Connection, code: Row[Any], user_id: int, now: dt.datetime) -> Redeemed:
    """Grant what a just-taken code carries."""
    if code.role is not None:
        role = Role(code.role)
        _insert_grant(conn, user_id, role, code.unit_id, None, now)
        _audit(
            conn,
            now,
            user_id,
            "redeem_code",
            _subject(user_id, role, code.unit_id),
            "",
            {"code": code.code},
        )
        return Redeemed(role=role, unit_id=code.unit_id, campaign_id=code.campaign_id)
    assert code.category is not None and code.campaign_id is not None
    conn.execute(
        delete(Membership).where(
            Membership.respondent_id == user_id, Membership.campaign_id == code.campaign_id
        )
    )
    conn.execute(
        insert(Membership).values(
            respondent_id=user_id,
            campaign_id=code.campaign_id,
            category=code.category,
            granted_at=now,
        )
    )
    _audit(
        conn,
        now,
        user_id,
        "redeem_code",
        f"user {user_id} → {code.category}",
        "",
        {"code": code.code, "campaign_id": code.campaign_id},
    )
    return Redeemed(campaign_id=code.campaign_id, category=code.category)


def _insert_grant(
    conn: Connection,
    user_id: int,
    role: Role,
    unit_id: int | None,
    by: int | None,
    now: dt.datetime,
) -> bool:
    """Give the role unless it is held already; True if it was given."""
    if conn.execute(select(Grant.id).where(*_grant_is(user_id, role, unit_id))).first():
        return False
    conn.execute(
        insert(Grant).values(
            user_id=user_id, role=role.value, unit_id=unit_id, granted_by=by, granted_at=now
        )
    )
    return True


def _grant_is(user_id: int, role: Role, unit_id: int | None) -> list[ColumnElement[bool]]:
    """The WHERE clause matching one grant."""
    unit = Grant.unit_id.is_(None) if unit_id is None else Grant.unit_id == unit_id
    return [Grant.user_id == user_id, Grant.role == role.value, unit]


def _subject(user_id: int, role: Role, unit_id: int | None) -> str:
    return f"user {user_id} as {role.value}" + (f" of unit {unit_id}" if unit_id else "")


def _audit(
    conn: Connection,
    now: dt.datetime,
    actor: int | None,
    action: str,
    subject: str,
    reason: str,
    details: dict[str, object] | None = None,
) -> None:
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
