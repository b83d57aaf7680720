"""Item tallies per day (with each item's answers by value) and rated comments.

A dashboard over a range of days that is no run of whole quarters scored every
answer of the range again (11 s for 20 days at a million responses); a ward's
officials' table counted every rating of the year (0.6 s); its comments under
low ratings walked back through every response of the ward (0.4 s). The
catch-up now keeps ``item_day_tallies`` (the quarters' sums per day, and each
item's answers counted by value) and ``rated_comments`` (each comment with its
response's lowest rating).

Filled by the next migration that recounts every campaign from its stored
answers with the catch-up's own scoring (``d5a1f9c3e7b2``, the tallies by
channel). This one recounted too, until the tallies got a column it does not
make: a data migration that calls the application's code runs it as it is
when the migration runs, and today's recount writes today's columns.

Revision ID: c4e8b2d6f1a9
Revises: a7d3e9f1c4b2
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8b2d6f1a9"
down_revision: str | None = "a7d3e9f1c4b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_day_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=180), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"],
            name=op.f("fk_item_day_tallies_campaign_id_campaigns"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["officials.id"],
            name=op.f("fk_item_day_tallies_official_id_officials"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"], ["service_points.id"],
            name=op.f("fk_item_day_tallies_service_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"],
            name=op.f("fk_item_day_tallies_unit_id_units"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_day_tallies")),
        sa.UniqueConstraint("cell", name=op.f("uq_item_day_tallies_cell")),
    )  # fmt: skip
    op.create_index(
        "ix_item_day_tallies_campaign_id_unit_id_day",
        "item_day_tallies",
        ["campaign_id", "unit_id", "day"],
    )
    op.create_table(
        "rated_comments",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("lowest_rating", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"],
            name=op.f("fk_rated_comments_campaign_id_campaigns"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["responses.id"],
            name=op.f("fk_rated_comments_response_id_responses"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"],
            name=op.f("fk_rated_comments_unit_id_units"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "question", name=op.f("pk_rated_comments")
        ),
    )  # fmt: skip
    op.create_index(
        "ix_rated_comments_newest",
        "rated_comments",
        ["campaign_id", "unit_id", "submitted_at", "lowest_rating"],
    )


def downgrade() -> None:
    op.drop_index("ix_rated_comments_newest", table_name="rated_comments")
    op.drop_table("rated_comments")
    op.drop_index(
        "ix_item_day_tallies_campaign_id_unit_id_day", table_name="item_day_tallies"
    )
    op.drop_table("item_day_tallies")
