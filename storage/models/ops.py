"""Operations: the durable inbox of Telegram updates, and leases on background work.

Every update, from a webhook or from getUpdates, is stored here before it is
acknowledged; workers take it from here (storage/inbox.py).  The raw update JSON
is kept as text so that any Telegram framework can feed it to its dispatcher.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class InboxUpdate(Base):
    """One update as Telegram sent it, and where its handling stands.

    `state` is "pending" (waiting, or leased to a worker until `lease_until`),
    "done", or "parked" (failed `attempts` times; `error` says why).
    """

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose update (the sender's user id); null for updates without a sender.
    person: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_inbox_state_person", "state", "person", "update_id"),)


class Lease(Base):
    """Who runs a piece of work that must run once across processes, and until when
    (renewed while its holder lives; taken over once `until` passes)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
