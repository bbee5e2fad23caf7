"""Core models: campaigns, units, respondents, questionnaires, conversations.

SQLAlchemy 2, portable between SQLite and PostgreSQL.

Only portable column types are used (Integer, BigInteger, String, Text,
Boolean, DateTime stored as UTC, JSON).  Campaign definitions themselves stay in
their YAML files; the database keeps what happens during a campaign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Aware → naive UTC on the way in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Naive UTC → aware on the way out."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migrations)."""

    metadata = MetaData(naming_convention=NAMING)


class Campaign(Base):
    """A campaign loaded from survey_defs/ (its definition stays in the file)."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Unit(Base):
    """An evaluated unit of a campaign; the integer id goes into callback data."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))


class Respondent(Base):
    """A Telegram user who talked to the bot, keyed by their Telegram user id.

    Using the Telegram id as the key means every write of an update has its keys
    up front, which is what lets the group-commit writer batch them.
    """

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8))
    locale_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Membership(Base):
    """The respondent category a person holds in a campaign (absent: the public one)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("respondent_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("respondents.id"))
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    category: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The units whose panel the person sits on (from their code); None: every unit.
    panel_units: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)


class Submission(Base):
    """One questionnaire: a respondent about one unit for one component.

    The primary key is the fairness rule 一人一评 as a database constraint: one
    questionnaire per respondent × unit × component, draft or submitted.
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_campaign_status", "campaign_id", "status"),)

    respondent_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("respondents.id"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    component: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | submitted
    position: Mapped[int] = mapped_column(Integer, default=0)
    suggestion: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it was opened: "poster" (a unit's deep link) or "list" (the unit picker).
    entry: Mapped[str] = mapped_column(String(8), default="list", server_default="list")


class Answer(Base):
    """One five-level answer; re-answering an item overwrites it.

    It carries its submission's key (respondent, unit, component), so the scorer
    groups answers by unit without a join.
    """

    __tablename__ = "answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["respondent_id", "unit_id", "component"],
            ["submissions.respondent_id", "submissions.unit_id", "submissions.component"],
        ),
        Index("ix_answers_unit_component_item", "unit_id", "component", "item"),
    )

    respondent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    component: Mapped[str] = mapped_column(String(32), primary_key=True)
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(24))
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Conversation(Base):
    """Where a person is in a conversation, so a restart resumes it."""

    __tablename__ = "conversations"

    respondent_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("respondents.id"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(16))  # idle | survey | …
    step: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProcessedUpdate(Base):
    """Telegram update ids already handled: a redelivered update is dropped.

    Written in the same transaction as the update's effects, so "handled" and
    "its answer is stored" are one fact.
    """

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
