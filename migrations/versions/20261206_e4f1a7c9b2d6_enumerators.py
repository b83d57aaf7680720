"""Enumerators and their assignments (issue 16): the interviewers who send
interviews from ODK Collect or Enketo through the OpenRosa server, each with a
key stored only as its hash, and the units of the interviewer campaigns they
may interview in, with the sample-design fields their interviews carry.

Revision ID: e4f1a7c9b2d6
Revises: 5c8318d8022e
Create Date: 2026-12-06 19:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4f1a7c9b2d6"
down_revision: str | None = "5c8318d8022e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enumerators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_enumerators_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_enumerators_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enumerators")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_enumerators_key_hash")),
    )
    op.create_index(
        op.f("ix_enumerators_unit_id"), "enumerators", ["unit_id"], unique=False
    )
    op.create_table(
        "enumerator_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enumerator_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=64), nullable=True),
        sa.Column("cluster", sa.String(length=64), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "weight IS NULL OR weight > 0",
            name=op.f("ck_enumerator_assignments_weight_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_enumerator_assignments_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enumerator_id"],
            ["enumerators.id"],
            name=op.f("fk_enumerator_assignments_enumerator_id_enumerators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_enumerator_assignments_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enumerator_assignments")),
        sa.UniqueConstraint(
            "enumerator_id",
            "campaign_id",
            "unit_id",
            name=op.f("uq_enumerator_assignments_enumerator_id_campaign_id_unit_id"),
        ),
    )
    op.create_index(
        op.f("ix_enumerator_assignments_campaign_id"),
        "enumerator_assignments",
        ["campaign_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enumerator_assignments_unit_id"),
        "enumerator_assignments",
        ["unit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_enumerator_assignments_unit_id"), table_name="enumerator_assignments"
    )
    op.drop_index(
        op.f("ix_enumerator_assignments_campaign_id"),
        table_name="enumerator_assignments",
    )
    op.drop_table("enumerator_assignments")
    op.drop_index(op.f("ix_enumerators_unit_id"), table_name="enumerators")
    op.drop_table("enumerators")
