"""Sanctions (seed 002 六(三), seed 000 四(四)): a unit found breaking the appraisal
discipline is placed last in its kind (直接列为最差单位) or loses any award (取消评先资格).

A sanction is an evaluator's decision with a reason; an admin may revoke it, with a
reason.  Rows are never deleted, so the record of both decisions stays.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Sanction(Base):
    """One sanction on one unit: `kind` is worst | no-award; revoked when `revoked_at` is set."""

    __tablename__ = "sanctions"
    __table_args__ = (Index("ix_sanctions_campaign_unit", "campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    imposed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    imposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
