"""Merge the feature branches: admin, complaints and scoring (all from 0002).

Revision ID: 0004_merge_features
Revises: 0003_admin, 0003_complaints, 0003_scoring
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004_merge_features"
down_revision: str | Sequence[str] | None = ("0003_admin", "0003_complaints", "0003_scoring")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the three branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
