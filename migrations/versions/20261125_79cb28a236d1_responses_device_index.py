"""Responses: index a device's recent responses (burst flag, minimum interval).

Revision ID: 79cb28a236d1
Revises: 44209d033d74
Create Date: 2026-11-25 15:17:13.933931
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "79cb28a236d1"
down_revision: str | None = "44209d033d74"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_responses_campaign_id_device_hash_submitted_at"


def upgrade() -> None:
    op.create_index(
        INDEX,
        "responses",
        ["campaign_id", "device_hash", "submitted_at", "content_hash"],
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="responses")
