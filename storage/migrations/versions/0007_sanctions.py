"""Sanctions: a unit placed last in its kind or removed from awards, with the reason.

Revision ID: 0007_sanctions
Revises: 0006_publication
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_sanctions"
down_revision: str | Sequence[str] | None = "0006_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the sanctions table."""
    op.create_table(
        "sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("imposed_by", sa.BigInteger(), nullable=True),
        sa.Column("imposed_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_sanctions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_sanctions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanctions")),
    )
    op.create_index("ix_sanctions_campaign_unit", "sanctions", ["campaign_id", "unit_id"])


def downgrade() -> None:
    """Drop the sanctions table."""
    op.drop_index("ix_sanctions_campaign_unit", table_name="sanctions")
    op.drop_table("sanctions")
