"""Publication (公示): immutable result snapshots, /publish requests, participants' notices.

Revision ID: 0006_publication
Revises: 0004_merge_features
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_publication"
down_revision: str | Sequence[str] | None = "0005_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three publication tables."""
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_publications_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["corrects"], ["publications.id"], name=op.f("fk_publications_corrects_publications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("campaign_id", "number", name=op.f("uq_publications_campaign_id")),
    )
    op.create_table(
        "publication_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_publication_requests_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_requests_publication_id_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_requests")),
    )
    op.create_table(
        "publication_notices",
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_publication_notices")),
    )


def downgrade() -> None:
    """Drop the publication tables."""
    op.drop_table("publication_notices")
    op.drop_table("publication_requests")
    op.drop_table("publications")
