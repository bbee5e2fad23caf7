"""The one outbox: a job may be a single delivery carrying an inline keyboard.

Revision ID: 0005_outbox
Revises: 0004_merge_features
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox"
down_revision: str | Sequence[str] | None = "0004_merge_features"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the keyboard of a single delivery (Bot API JSON)."""
    with op.batch_alter_table("broadcast_jobs") as batch:
        batch.add_column(sa.Column("markup", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("broadcast_jobs") as batch:
        batch.drop_column("markup")
