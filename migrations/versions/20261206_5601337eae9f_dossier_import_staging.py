"""The dossier import's staging: checked rows wait in ``dossier_import_rows``
and their problems in ``dossier_import_problems`` until the import is applied
at once; an import keeps its column mapping, its uploaded file's name and when
its reading last reported progress (issue 13).

Revision ID: 5601337eae9f
Revises: f3b8c2a7d915
Create Date: 2026-12-06 10:49:41.520278
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5601337eae9f"
down_revision: str | None = "f3b8c2a7d915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossier_import_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("msgid", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["dossier_imports.id"],
            name=op.f("fk_dossier_import_problems_import_id_dossier_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_import_problems")),
    )
    with op.batch_alter_table("dossier_import_problems", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossier_import_problems_import_id_line",
            ["import_id", "line"],
            unique=False,
        )

    op.create_table(
        "dossier_import_rows",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("procedure_code", sa.String(length=64), nullable=False),
        sa.Column("procedure_name", sa.String(length=500), nullable=False),
        sa.Column("procedure_field", sa.String(length=200), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("due_computed", sa.Boolean(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("paid_online", sa.Boolean(), nullable=False),
        sa.Column("digitised", sa.Boolean(), nullable=False),
        sa.Column("working_days_late", sa.Integer(), nullable=True),
        sa.Column("received_month", sa.String(length=7), nullable=False),
        sa.Column("returned_month", sa.String(length=7), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("applicant_phone", sa.String(length=20), nullable=False),
        sa.Column("applicant_email", sa.String(length=200), nullable=False),
        sa.Column("applicant_address", sa.String(length=300), nullable=False),
        sa.Column("purge_after", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["dossier_imports.id"],
            name=op.f("fk_dossier_import_rows_import_id_dossier_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "import_id", "line", name=op.f("pk_dossier_import_rows")
        ),
    )
    with op.batch_alter_table("dossier_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mapping", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("stored_file", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(sa.Column("progress_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier_imports", schema=None) as batch_op:
        batch_op.drop_column("progress_at")
        batch_op.drop_column("stored_file")
        batch_op.drop_column("mapping")

    op.drop_table("dossier_import_rows")
    with op.batch_alter_table("dossier_import_problems", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_import_problems_import_id_line")

    op.drop_table("dossier_import_problems")
