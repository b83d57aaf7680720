"""Response drafts: answers saved part-way, resumable with a single-use code.

Revision ID: 9e7f5ce3f5a7
Revises: 10a025cc645f
Create Date: 2026-11-25 14:50:17.989862
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e7f5ce3f5a7"
down_revision: str | None = "10a025cc645f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "response_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_code_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["access_code_id"],
            ["access_codes.id"],
            name=op.f("fk_response_drafts_access_code_id_access_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_drafts")),
        sa.UniqueConstraint(
            "access_code_id", name=op.f("uq_response_drafts_access_code_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("response_drafts")
