"""Chores: work the app does by itself on a schedule, and when it last ran.

The first chore is the purge of personal data past its retention (follow-up
phone numbers, unsent drafts), which before this ran only when an operator
scheduled ``flask purge-contacts``. Its row is created by the first run.

Revision ID: c1a8f3d5e2b7
Revises: b7e2d4a91c35
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1a8f3d5e2b7"
down_revision: str | None = "b7e2d4a91c35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chores",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_chores")),
    )


def downgrade() -> None:
    op.drop_table("chores")
