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

from bot.core.clock import Clock
from storage import access as store
from storage.access import AuditRecord, CodeRecord, NewCodes, write_audit
from storage.records import CODE_ALPHABET as CODE_ALPHABET  # shared with storage
from storage.records import Role as Role  # shared with storage
from storage.uow import Transaction, UnitOfWork

CODE_LENGTH = 8


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
        held = {GrantRecord(Role(role), unit) for role, unit in await store.grants(uow, user_id)}
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

        def write(conn: Transaction) -> bool:
            if not store.insert_grant(conn, user_id, role.value, unit_id, actor, now):
                return False
            write_audit(conn, now, actor, "grant", _subject(user_id, role, unit_id), reason)
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

        def write(conn: Transaction) -> bool:
            if not store.delete_grant(conn, user_id, role.value, unit_id):
                return False
            write_audit(conn, now, actor, "revoke", _subject(user_id, role, unit_id), reason)
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
        panel_units: list[int] | None = None,
    ) -> list[str]:
        """Make `count` single-use codes for a role or a campaign category (audited); a
        category code may be bound to the panels of `panel_units` (seed 002 五(三))."""
        if (role is None) == (category is None):
            raise ValueError("a code carries either a role or a respondent category")
        if category is not None and campaign_id is None:
            raise ValueError("a category code needs its campaign")
        if role is Role.HANDLER and unit_id is None:
            raise ValueError("a handler code needs its unit")
        if panel_units is not None and (category is None or not panel_units):
            raise ValueError("only a category code sits on panels, and on at least one")
        now, codes = self.clock.now(), [new_code() for _ in range(count)]

        batch = NewCodes(
            codes,
            role.value if role else None,
            unit_id,
            campaign_id,
            category,
            expires_at,
            sorted(panel_units) if panel_units else None,
        )

        def write(conn: Transaction) -> list[str]:
            store.insert_codes(conn, batch, actor, now)
            what = f"role {role.value}" if role else f"category {category} of {campaign_id}"
            write_audit(
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
                    "panel_units": batch.panel_units,
                },
            )
            return codes

        return await uow.run_exclusive(write)

    async def redeem(self, uow: UnitOfWork, user_id: int, text: str) -> Redeemed:
        """Use a code: bind it to this account and grant what it carries. Commits."""
        code, now = normalize_code(text), self.clock.now()

        def write(conn: Transaction) -> Redeemed:
            found = store.find_code(conn, code)
            if found is None:
                return Redeemed("unknown")
            if found.used_by is not None:
                return Redeemed("used_by_you" if found.used_by == user_id else "used")
            if found.expires_at is not None and found.expires_at <= now:
                return Redeemed("expired")
            if not store.take_code(conn, code, user_id, now):
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
            lambda conn: write_audit(conn, now, actor, action, subject, reason, details or {})
        )

    async def audit_log(self, uow: UnitOfWork, limit: int = 50) -> list[AuditRecord]:
        """The latest audit entries, newest first."""
        return await store.audit_log(uow, limit)


def _apply_code(conn: Transaction, code: CodeRecord, user_id: int, now: dt.datetime) -> Redeemed:
    """Grant what a just-taken code carries."""
    if code.role is not None:
        role = Role(code.role)
        store.insert_grant(conn, user_id, role.value, code.unit_id, None, now)
        subject = _subject(user_id, role, code.unit_id)
        write_audit(conn, now, user_id, "redeem_code", subject, "", {"code": code.code})
        return Redeemed(role=role, unit_id=code.unit_id, campaign_id=code.campaign_id)
    assert code.category is not None and code.campaign_id is not None
    store.set_category(conn, user_id, code.campaign_id, code.category, now, code.panel_units)
    write_audit(
        conn,
        now,
        user_id,
        "redeem_code",
        f"user {user_id} → {code.category}",
        "",
        {"code": code.code, "campaign_id": code.campaign_id, "panel_units": code.panel_units},
    )
    return Redeemed(campaign_id=code.campaign_id, category=code.category)


def _subject(user_id: int, role: Role, unit_id: int | None) -> str:
    return f"user {user_id} as {role.value}" + (f" of unit {unit_id}" if unit_id else "")
