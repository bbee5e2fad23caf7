"""Rectification (整改反馈) models: each unit's plan of measures, the people following a
unit, and the public's one verdict on a completed plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class RectificationPlan(Base):
    """A unit's plan in one campaign (status draft|submitted|returned|approved|completed)."""

    __tablename__ = "rectification_plans"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16))
    suggestions: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RectificationMeasure(Base):
    """One problem of a plan, its measure and deadline, and its report of completion."""

    __tablename__ = "rectification_measures"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("rectification_plans.id"))
    position: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    done_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    evidence_file_id: Mapped[str | None] = mapped_column(String(200), nullable=True)


class UnitFollower(Base):
    """A person who asked to hear about a unit's rectification ("follow this unit")."""

    __tablename__ = "unit_followers"

    respondent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RectificationRating(Base):
    """A person's one verdict on a unit's rectification (the five levels, 不了解 included)."""

    __tablename__ = "rectification_ratings"

    plan_id: Mapped[int] = mapped_column(ForeignKey("rectification_plans.id"), primary_key=True)
    respondent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
