"""Paper questionnaires (issue 19): batches of printed forms and their
register, each form's number and single-use access code, and the two clerks'
entries of it (one per clerk, two at most: the database refuses the rest).

Revision ID: b8f2c6d4e1a3
Revises: a7d3e9f1c5b2
Create Date: 2026-12-07 06:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8f2c6d4e1a3"
down_revision: str | None = "a7d3e9f1c5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.Column("handed_out_at", sa.DateTime(), nullable=True),
        sa.Column("handed_out_to", sa.String(length=200), nullable=False),
        sa.Column("returned_count", sa.Integer(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("count >= 1", name=op.f("ck_paper_batches_count_positive")),
        sa.CheckConstraint(
            "last_number = first_number + count - 1",
            name=op.f("ck_paper_batches_range"),
        ),
        sa.CheckConstraint(
            "returned_count IS NULL OR returned_count BETWEEN 0 AND count",
            name=op.f("ck_paper_batches_returned_count"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_paper_batches_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_paper_batches_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_paper_batches_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_paper_batches_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batches")),
    )
    with op.batch_alter_table("paper_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_batches_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_paper_batches_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "paper_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("access_code_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("settled_answers", sa.JSON(), nullable=True),
        sa.Column("reconciled_by", sa.Integer(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('printed', 'entered_once', 'entered_twice', 'in_conflict',"
            " 'reconciled', 'void')",
            name=op.f("ck_paper_forms_state"),
        ),
        sa.ForeignKeyConstraint(
            ["access_code_id"],
            ["access_codes.id"],
            name=op.f("fk_paper_forms_access_code_id_access_codes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["paper_batches.id"],
            name=op.f("fk_paper_forms_batch_id_paper_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_by"],
            ["users.id"],
            name=op.f("fk_paper_forms_reconciled_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_paper_forms_response_id_responses"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_forms")),
        sa.UniqueConstraint(
            "access_code_id", name=op.f("uq_paper_forms_access_code_id")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_paper_forms_number")),
        sa.UniqueConstraint("response_id", name=op.f("uq_paper_forms_response_id")),
    )
    with op.batch_alter_table("paper_forms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_paper_forms_batch_id_state", ["batch_id", "state"], unique=False
        )

    op.create_table(
        "paper_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("slot IN (1, 2)", name=op.f("ck_paper_entries_slot")),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["users.id"],
            name=op.f("fk_paper_entries_clerk_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["paper_forms.id"],
            name=op.f("fk_paper_entries_form_id_paper_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entries")),
        sa.UniqueConstraint(
            "form_id", "clerk_id", name=op.f("uq_paper_entries_form_id_clerk_id")
        ),
        sa.UniqueConstraint(
            "form_id", "slot", name=op.f("uq_paper_entries_form_id_slot")
        ),
    )
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_entries_clerk_id"), ["clerk_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("paper_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_entries_clerk_id"))

    op.drop_table("paper_entries")
    with op.batch_alter_table("paper_forms", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_forms_batch_id_state")

    op.drop_table("paper_forms")
    with op.batch_alter_table("paper_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_batches_unit_id"))
        batch_op.drop_index(batch_op.f("ix_paper_batches_campaign_id"))

    op.drop_table("paper_batches")
