"""Publication (公示) models: immutable snapshots of a campaign's results, and their notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Publication(Base):
    """One publication of a campaign's results: a dated snapshot, never updated.

    `number` counts the campaign's publications from 1; a correction is a new
    row whose `corrects` names the publication it replaces, with a `reason`.
    Both stay: nothing ever updates or deletes a row of this table.
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: CLI
    corrects: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class PublicationRequest(Base):
    """An admin's /publish awaiting the confirmation button (keeps the reason out of
    the button data); `publication_id` is set when confirmed, so a second tap
    publishes nothing more."""

    __tablename__ = "publication_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), nullable=True)


class PublicationNotice(Base):
    """The participants of a campaign were told its results are out (once per campaign)."""

    __tablename__ = "publication_notices"

    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
