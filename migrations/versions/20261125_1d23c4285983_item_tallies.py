"""Item tallies: running sums per cell and score, so reports need not read every answer.

Revision ID: 1d23c4285983
Revises: 9e7f5ce3f5a7
Create Date: 2026-11-25 14:59:12.722458
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1d23c4285983"
down_revision: str | None = "9e7f5ce3f5a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=160), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_item_tallies_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_item_tallies_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_item_tallies_service_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_item_tallies_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_tallies")),
        sa.UniqueConstraint("cell", name=op.f("uq_item_tallies_cell")),
    )
    with op.batch_alter_table("item_tallies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_tallies_campaign_id_unit_id",
            ["campaign_id", "unit_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("item_tallies", schema=None) as batch_op:
        batch_op.drop_index("ix_item_tallies_campaign_id_unit_id")

    op.drop_table("item_tallies")
