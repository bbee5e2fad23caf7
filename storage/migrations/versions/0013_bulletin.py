"""Bulletins (定期通报) and the files the outbox uploads; complaints' co-handling units
and the unit behind a handler's part.

Revision ID: 0013_bulletin
Revises: 0012_reach
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_bulletin"
down_revision: str | Sequence[str] | None = "0012_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create bulletins, outbox_uploads and complaint_cohandlers; add the two columns."""
    op.create_table(
        "outbox_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_uploads")),
    )
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=True),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_bulletins_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint("campaign_id", "slot", name=op.f("uq_bulletins_campaign_id")),
    )
    op.create_index(op.f("ix_bulletins_campaign_id"), "bulletins", ["campaign_id"])
    op.create_table(
        "complaint_cohandlers",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_cohandlers_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_complaint_cohandlers_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("complaint_id", "unit_id", name=op.f("pk_complaint_cohandlers")),
    )
    op.create_index(op.f("ix_complaint_cohandlers_unit_id"), "complaint_cohandlers", ["unit_id"])
    with op.batch_alter_table("broadcast_jobs") as batch:
        batch.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_broadcast_jobs_upload_id_outbox_uploads"),
            "outbox_uploads",
            ["upload_id"],
            ["id"],
        )
    with op.batch_alter_table("complaint_entries") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_complaint_entries_unit_id_units"), "units", ["unit_id"], ["id"]
        )


def downgrade() -> None:
    """Drop what upgrade() made."""
    with op.batch_alter_table("complaint_entries") as batch:
        batch.drop_constraint(op.f("fk_complaint_entries_unit_id_units"), type_="foreignkey")
        batch.drop_column("unit_id")
    with op.batch_alter_table("broadcast_jobs") as batch:
        batch.drop_constraint(
            op.f("fk_broadcast_jobs_upload_id_outbox_uploads"), type_="foreignkey"
        )
        batch.drop_column("upload_id")
    op.drop_index(op.f("ix_complaint_cohandlers_unit_id"), table_name="complaint_cohandlers")
    op.drop_table("complaint_cohandlers")
    op.drop_index(op.f("ix_bulletins_campaign_id"), table_name="bulletins")
    op.drop_table("bulletins")
    op.drop_table("outbox_uploads")
