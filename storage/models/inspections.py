"""Inspectors' findings (明查暗访: seed 000 第三阶段 1-2, seed 002 五(五)).

An inspector records what they saw at a unit, with evidence; an evaluator confirms or
rejects it; a confirmed finding with points becomes a deduction (a `findings` row) and
is handed to the unit (集中交办) without the inspector's identity; the unit answers
with what it corrected.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Inspection(Base):
    """One inspector's finding and what became of it (status pending|confirmed|rejected)."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_campaign_unit", "campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))  # open | unannounced | media
    seen: Mapped[str] = mapped_column(Text)
    points_x100: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: a note
    files: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [kind, file_id]
    inspector: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision: Mapped[str | None] = mapped_column(Text, nullable=True)
    correction: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
