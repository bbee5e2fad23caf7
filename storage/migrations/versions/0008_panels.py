"""Panels per unit: a category code, and the membership it gives, name the units whose
panel the person sits on (seed 002 五(三)); NULL keeps every unit.

Revision ID: 0008_panels
Revises: 0007_sanctions
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_panels"
down_revision: str | Sequence[str] | None = "0007_sanctions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the panel units to codes and memberships."""
    with op.batch_alter_table("codes") as batch:
        batch.add_column(sa.Column("panel_units", sa.JSON(), nullable=True))
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("panel_units", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the panel units."""
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("panel_units")
    with op.batch_alter_table("codes") as batch:
        batch.drop_column("panel_units")
