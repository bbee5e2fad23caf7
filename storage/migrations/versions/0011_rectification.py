"""Rectification (整改反馈): plans, their measures, unit followers, rectification ratings.

Revision ID: 0011_rectification
Revises: 0010_inbox
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_rectification"
down_revision: str | Sequence[str] | None = "0010_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A named foreign key (the naming convention of the models)."""
    parent = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{parent}"))


def upgrade() -> None:
    """Create the four rectification tables."""
    op.create_table(
        "rectification_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suggestions", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        _fk("rectification_plans", "campaign_id", "campaigns.id"),
        _fk("rectification_plans", "unit_id", "units.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_plans")),
        sa.UniqueConstraint(
            "campaign_id", "unit_id", name=op.f("uq_rectification_plans_campaign_id")
        ),
    )
    op.create_table(
        "rectification_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence_kind", sa.String(length=16), nullable=True),
        sa.Column("evidence_file_id", sa.String(length=200), nullable=True),
        _fk("rectification_measures", "plan_id", "rectification_plans.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_measures")),
        sa.UniqueConstraint("plan_id", "position", name=op.f("uq_rectification_measures_plan_id")),
    )
    op.create_table(
        "unit_followers",
        sa.Column("respondent_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _fk("unit_followers", "unit_id", "units.id"),
        sa.PrimaryKeyConstraint("respondent_id", "unit_id", name=op.f("pk_unit_followers")),
    )
    op.create_table(
        "rectification_ratings",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _fk("rectification_ratings", "plan_id", "rectification_plans.id"),
        sa.PrimaryKeyConstraint("plan_id", "respondent_id", name=op.f("pk_rectification_ratings")),
    )


def downgrade() -> None:
    """Drop the rectification tables."""
    for table in (
        "rectification_ratings",
        "unit_followers",
        "rectification_measures",
        "rectification_plans",
    ):
        op.drop_table(table)
