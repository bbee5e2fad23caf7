"""Scoring models: evaluators' marks and bonus points, and the stored results.

Marks and points are kept in hundredths (Integer), so sums are exact on every
database.  Results are a cache of the scorer's last run, with the time it ran.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, UTCDateTime


class Mark(Base):
    """A mark (0–100) an evaluator gave a unit for a manual component (日常考评 …).

    `label` names the occasion (an inspection round, a month); entering a mark
    again for the same occasion replaces it.  A component's score is the mean of
    its occasions' marks.
    """

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "component", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    component: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64))
    score_x100: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: CSV/CLI
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Bonus(Base):
    """Discretionary bonus points (酌情加分) for a unit, with the reason and the giver."""

    __tablename__ = "bonuses"
    __table_args__ = (Index("ix_bonuses_campaign_unit", "campaign_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    points_x100: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    given_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: command line
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ScoreResult(Base):
    """One unit's figures from the scorer's last run (the whole breakdown in `data`)."""

    __tablename__ = "score_results"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # ranked | insufficient | incomplete
    composite_x100: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # 约谈 or 不评优
    # The whole breakdown as JSON text (serialised once by pydantic, not again by the driver).
    data: Mapped[str] = mapped_column(Text)


class ScoreRun(Base):
    """When a campaign was last scored, over how many answers, and how long it took."""

    __tablename__ = "score_runs"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answers: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean)
    millis: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
