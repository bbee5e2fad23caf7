"""How a questionnaire was opened (entry path): from a unit's poster, or from the list.

Revision ID: 0012_reach
Revises: 0011_rectification
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_reach"
down_revision: str | Sequence[str] | None = "0011_rectification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add `submissions.entry`; every questionnaire so far was opened from the list."""
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(
            sa.Column("entry", sa.String(length=8), nullable=False, server_default="list")
        )


def downgrade() -> None:
    """Drop the entry path."""
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("entry")
