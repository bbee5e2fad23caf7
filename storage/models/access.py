"""Access models: grants, single-use codes, the audit log — and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Grant(Base):
    """A role held by a Telegram user: admin, evaluator, or handler of one unit."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: command line
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Code(Base):
    """A single-use invitation or handler code (LimeSurvey-style participant token).

    It grants either a respondent category in a campaign or a role (for a unit);
    once used it is bound to the account that used it and refused to anyone after.
    """

    __tablename__ = "codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    # Category codes bound to the panel of one unit or a few (seed 002 五(三)); None: all.
    panel_units: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEntry(Base):
    """Who did what, when and why: grants, revocations, voids, phase changes …"""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: command line
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Finding(Base):
    """A finding against a unit (substantiated complaint or inspection): a deduction.

    Points are kept in hundredths, so sums are exact on every database.
    """

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_campaign_unit", "campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    component: Mapped[str] = mapped_column(String(32))  # the deduction component it feeds
    source: Mapped[str] = mapped_column(String(16))  # complaint | inspection
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)  # e.g. tracking no.
    points_x100: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
