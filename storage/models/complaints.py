"""Complaint models: filed complaints, their evidence and messages, and citizens' drafts.

The complainant's Telegram id is kept (a citizen sees their own complaints and
answers questions) but never leaves the engine towards a unit's handlers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Complaint(Base):
    """One complaint, from filing to the citizen's rating and an optional review.

    Status: ``triage`` (with the complaint centre), ``open`` (routed to a unit,
    not yet accepted), ``accepted``, ``closed``.  The reminder/escalation task
    reads open complaints by (status, remind_at) and (status, due_at).
    """

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_status_remind", "status", "remind_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking: Mapped[str] = mapped_column(String(20), unique=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    complainant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("respondents.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text, nullable=True)  # only if the citizen chose
    case_class: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    remind_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # pending request
    transfer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(16), nullable=True)
    review: Mapped[str | None] = mapped_column(
        String(12), nullable=True
    )  # requested|reopened|upheld
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ComplaintEntry(Base):
    """Evidence and messages of a complaint: attachments, added information, Q&A, notes.

    `author` is a role (citizen, handler, centre), never a person.
    """

    __tablename__ = "complaint_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    author: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))  # photo|document|info|question|answer|note
    # |progress (an interim note to the citizen)|part (a co-handling unit's part)
    # The unit whose handler wrote a part (never the person).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ComplaintCohandler(Base):
    """A co-handling unit of a complaint (共同办理): its handlers see the case and add
    their part; the complaint's own unit leads (牵头承办) and alone closes it."""

    __tablename__ = "complaint_cohandlers"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    added_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ComplaintDraft(Base):
    """A citizen's complaint being written: it survives restarts and detours."""

    __tablename__ = "complaint_drafts"

    respondent_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("respondents.id"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
