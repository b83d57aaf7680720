"""Campaigns can be paused and closed; an invitation's code records its first opening.

``campaigns.paused_at`` is set while a campaign is paused (no new response; codes
and drafts kept), ``campaigns.closed_at`` once it is closed for good.
``access_codes.opened_at`` is the first time a single-use code's survey page was
shown: the "opened" step of an invitation campaign's funnel. Three nullable
columns: no table is rebuilt.

Revision ID: a3c9e5f17b24
Revises: 9a4e7c1b2d58
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c9e5f17b24"
down_revision: str | None = "9a4e7c1b2d58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("paused_at", sa.DateTime(), nullable=True))
    op.add_column("campaigns", sa.Column("closed_at", sa.DateTime(), nullable=True))
    op.add_column("access_codes", sa.Column("opened_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_codes") as batch:
        batch.drop_column("opened_at")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("paused_at")
