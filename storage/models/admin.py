"""Admin models: phase overrides, broadcast jobs with per-recipient delivery state, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class PhaseOverride(Base):
    """An admin's change to a phase's dates (open early, close, extend); audited.

    The campaign file keeps its published dates; this row, when present, is what
    the bot obeys.  Dates are inclusive, like the file's.
    """

    __tablename__ = "phase_overrides"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    phase_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    set_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: command line
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BroadcastJob(Base):
    """One job of the outbox: a bulk message (a broadcast, a phase notice or a round of
    reminders) or a single delivery (kind ``delivery``: one message to one chat).

    Status: ``draft`` (an admin is composing it), ``running``, ``done``,
    ``cancelled``.  The text is kept per locale; recipients get theirs, or the
    default locale's.
    """

    __tablename__ = "broadcast_jobs"
    __table_args__ = (Index("ix_broadcast_jobs_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # broadcast | phase_notice | reminder | delivery
    status: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # locale → HTML
    media_kind: Mapped[str | None] = mapped_column(String(12), nullable=True)  # photo|document
    media_file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # A file uploaded with the message instead (storage/models/bulletins.py: OutboxUpload).
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_uploads.id"), nullable=True)
    # A single delivery's inline keyboard (Bot API JSON), rendered when it was queued.
    markup: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Where the composing admin watches progress (one message, edited).
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    compose_step: Mapped[str | None] = mapped_column(String(24), nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)


class BroadcastRecipient(Base):
    """One recipient of a job and the state of their delivery.

    State: ``pending`` → ``sending`` (committed before the Bot API call) →
    ``sent`` | ``blocked`` (403) | ``failed`` (other errors, after retries).
    A row found in ``sending`` at start-up was on the wire when the process
    died: it becomes ``unknown`` and is not sent again (see bot/outbox/queue.py).
    `user_id` is the chat the message goes to (a group for the complaint centre).
    """

    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_job_state", "job_id", "state"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("broadcast_jobs.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReminderMark(Base):
    """A reminder decided for a respondent in a phase (one per kind, ever).

    Written in the same transaction as the broadcast recipient row that carries
    it, so a restart can neither lose nor repeat the decision.
    """

    __tablename__ = "reminder_marks"

    respondent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phase_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # delay | closing
    job_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PhaseNoticeMark(Base):
    """A phase whose opening notice has been queued (once per phase)."""

    __tablename__ = "phase_notice_marks"

    campaign_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phase_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
