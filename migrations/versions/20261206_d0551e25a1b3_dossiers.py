"""Dossiers: the procedure catalogue, the register, the working-day calendar's
changes, the units' deadline rules, applicants (personal data, apart), apology
letters, and the import's sources and runs (issue 13).

Revision ID: d0551e25a1b3
Revises: 45db765db4a6
Create Date: 2026-12-06 10:39:55.918367
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d0551e25a1b3"
down_revision: str | None = "45db765db4a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("processing_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "processing_days IS NULL OR processing_days >= 0",
            name=op.f("ck_procedures_processing_days"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_code")),
    )
    op.create_table(
        "dossier_rules",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("cutoff_minute", sa.Integer(), nullable=False),
        sa.Column("due_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "cutoff_minute BETWEEN 0 AND 1440",
            name=op.f("ck_dossier_rules_cutoff_minute"),
        ),
        sa.CheckConstraint(
            "due_minute BETWEEN 0 AND 1440", name=op.f("ck_dossier_rules_due_minute")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_dossier_rules_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_dossier_rules")),
    )
    op.create_table(
        "import_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["users.id"],
            name=op.f("fk_import_sources_confirmed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_sources")),
        sa.UniqueConstraint("signature", name=op.f("uq_import_sources_signature")),
    )
    op.create_table(
        "working_day_changes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_working_day_changes_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_working_day_changes")),
    )
    op.create_table(
        "dossier_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("skip_bad_rows", sa.Boolean(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_bad", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('reading', 'checked', 'applying', 'done', 'failed',"
            " 'cancelled')",
            name=op.f("ck_dossier_imports_status"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["import_sources.id"],
            name=op.f("fk_dossier_imports_source_id_import_sources"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_dossier_imports_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_dossier_imports_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_imports")),
    )
    with op.batch_alter_table("dossier_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_imports_checksum"), ["checksum"], unique=False
        )

    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
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
        sa.Column("access_code_id", sa.Integer(), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('counter', 'online', 'post')", name=op.f("ck_dossiers_channel")
        ),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'needs_documents', 'returned',"
            " 'withdrawn')",
            name=op.f("ck_dossiers_status"),
        ),
        sa.ForeignKeyConstraint(
            ["access_code_id"],
            ["access_codes.id"],
            name=op.f("fk_dossiers_access_code_id_access_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_dossiers_official_id_officials"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_dossiers_procedure_id_procedures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_dossiers_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_dossiers_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("access_code_id", name=op.f("uq_dossiers_access_code_id")),
        sa.UniqueConstraint("unit_id", "code", name=op.f("uq_dossiers_unit_id_code")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dossiers_open_due", ["unit_id", "returned_at", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dossiers_procedure_id"), ["procedure_id"], unique=False
        )
        batch_op.create_index(
            "ix_dossiers_unit_id_received_month",
            ["unit_id", "received_month"],
            unique=False,
        )
        batch_op.create_index(
            "ix_dossiers_unit_id_returned_month",
            ["unit_id", "returned_month"],
            unique=False,
        )

    op.create_table(
        "apology_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("new_return_on", sa.Date(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("sent_via", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "sent_via IS NULL OR sent_via IN ('in_person', 'post', 'email', 'sms')",
            name=op.f("ck_apology_letters_sent_via"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_apology_letters_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_apology_letters_dossier_id_dossiers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["users.id"],
            name=op.f("fk_apology_letters_sent_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_apology_letters_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apology_letters")),
        sa.UniqueConstraint(
            "unit_id",
            "year",
            "number",
            name=op.f("uq_apology_letters_unit_id_year_number"),
        ),
    )
    with op.batch_alter_table("apology_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apology_letters_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "dossier_applicants",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("purge_after", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_applicants_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_dossier_applicants")),
    )
    with op.batch_alter_table("dossier_applicants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_applicants_purge_after"),
            ["purge_after"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier_applicants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_applicants_purge_after"))

    op.drop_table("dossier_applicants")
    with op.batch_alter_table("apology_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apology_letters_dossier_id"))

    op.drop_table("apology_letters")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_unit_id_returned_month")
        batch_op.drop_index("ix_dossiers_unit_id_received_month")
        batch_op.drop_index(batch_op.f("ix_dossiers_procedure_id"))
        batch_op.drop_index("ix_dossiers_open_due")

    op.drop_table("dossiers")
    with op.batch_alter_table("dossier_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_imports_checksum"))

    op.drop_table("dossier_imports")
    op.drop_table("working_day_changes")
    op.drop_table("import_sources")
    op.drop_table("dossier_rules")
    op.drop_table("procedures")
