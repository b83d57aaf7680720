"""Responses: the day's pseudonym of the sender's address, indexed for bursts.

A burst from one network at one counter (or of one official) is flagged however
many devices it claims to be. The column is nullable: responses stored before
have none and are left out of the address burst flag.

Revision ID: b7e2d4a91c35
Revises: b7d2e4a91c35
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2d4a91c35"
down_revision: str | None = "b7d2e4a91c35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_responses_address_hash_submitted_at"


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("address_hash", sa.String(length=64)))
    op.create_index(INDEX, "responses", ["address_hash", "submitted_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="responses")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("address_hash")
