"""Tallies and device flags kept after the write, from a watermark.

A rating's write no longer updates the item tallies nor reads the device's
recent responses: ``surveys.tallies.catch_up`` does both afterwards and records
how far it got in ``watermarks``. Every response stored before this migration
was counted and flagged in its own write, so the watermark starts at the
highest id stored.

Revision ID: 5f3a9c1e7d24
Revises: 6b1d9e4c2f70
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5f3a9c1e7d24"
down_revision: str | None = "6b1d9e4c2f70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watermarks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_watermarks")),
    )
    op.execute(
        "INSERT INTO watermarks (name, last_id)"
        " SELECT 'tallies', COALESCE(MAX(id), 0) FROM responses"
    )


def downgrade() -> None:
    op.drop_table("watermarks")
