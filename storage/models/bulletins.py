"""Bulletin models: each periodic bulletin (定期通报) sent, and files the outbox uploads.

A scheduled bulletin's row is written, keyed by (campaign, slot), before anything
is sent, so several workers or a restart can never send one period's bulletin twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Bulletin(Base):
    """One bulletin: the campaign, the period it reports, and what started it.

    `slot` is the scheduled time it stands for (ISO, local); NULL for one an
    evaluator sent on demand.  The next bulletin's period starts at `period_end`.
    """

    __tablename__ = "bulletins"
    __table_args__ = (UniqueConstraint("campaign_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slot: Mapped[str | None] = mapped_column(String(32), nullable=True)
    period_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OutboxUpload(Base):
    """A file the outbox uploads with a message (e.g. a bulletin's chart), stored once for
    every delivery that carries it."""

    __tablename__ = "outbox_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
