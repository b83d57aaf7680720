"""Initial schema: the data model of DESIGN.md, first cut.

Revision ID: 10a025cc645f
Revises:
Create Date: 2026-11-25 14:29:48.643897
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "10a025cc645f"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_questionnaires_version_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint(
            "key", "checksum", name=op.f("uq_questionnaires_key_checksum")
        ),
        sa.UniqueConstraint(
            "key", "version", name=op.f("uq_questionnaires_key_version")
        ),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('district', 'ward', 'department', 'school', 'service_unit')",
            name=op.f("ck_units_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["units.id"],
            name=op.f("fk_units_parent_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
    )
    op.create_index(op.f("ix_units_parent_id"), "units", ["parent_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("min_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "mode IN ('counter', 'dossier', 'invitation', 'interviewer', 'open_link')",
            name=op.f("ck_campaigns_mode"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_campaigns_period")
        ),
        sa.CheckConstraint(
            "min_interval_seconds >= 0", name=op.f("ck_campaigns_min_interval")
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_campaigns_questionnaire_id_questionnaires"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_campaigns_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("key", name=op.f("uq_campaigns_key")),
    )
    op.create_index(
        op.f("ix_campaigns_questionnaire_id"), "campaigns", ["questionnaire_id"]
    )
    op.create_index(op.f("ix_campaigns_unit_id"), "campaigns", ["unit_id"])
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_officials_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officials")),
        sa.UniqueConstraint("code", name=op.f("uq_officials_code")),
    )
    op.create_index(op.f("ix_officials_unit_id"), "officials", ["unit_id"])
    op.create_table(
        "service_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_service_points_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_points")),
        sa.UniqueConstraint("code", name=op.f("uq_service_points_code")),
    )
    op.create_index(op.f("ix_service_points_unit_id"), "service_points", ["unit_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role = 'admin' OR unit_id IS NOT NULL", name=op.f("ck_users_scoped")
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'district', 'unit_manager', 'viewer')",
            name=op.f("ck_users_role"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_users_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_unit_id"), "users", ["unit_id"])
    op.create_table(
        "access_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dossier_hash", sa.String(length=64), nullable=True),
        sa.Column("stratum", sa.String(length=64), nullable=True),
        sa.Column("cluster", sa.String(length=64), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('standing', 'single_use')", name=op.f("ck_access_codes_kind")
        ),
        sa.CheckConstraint(
            "weight IS NULL OR weight > 0", name=op.f("ck_access_codes_weight_positive")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_access_codes_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_access_codes_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_access_codes_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_codes")),
        sa.UniqueConstraint("token", name=op.f("uq_access_codes_token")),
    )
    op.create_index(
        op.f("ix_access_codes_campaign_id"), "access_codes", ["campaign_id"]
    )
    op.create_index(
        op.f("ix_access_codes_service_point_id"), "access_codes", ["service_point_id"]
    )
    op.create_index(op.f("ix_access_codes_unit_id"), "access_codes", ["unit_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        op.f("ix_audit_events_occurred_at"), "audit_events", ["occurred_at"]
    )
    op.create_index(op.f("ix_audit_events_user_id"), "audit_events", ["user_id"])
    op.create_table(
        "service_point_officials",
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_service_point_officials_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_service_point_officials_service_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "service_point_id", "official_id", name=op.f("pk_service_point_officials")
        ),
    )
    op.create_index(
        op.f("ix_service_point_officials_official_id"),
        "service_point_officials",
        ["official_id"],
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("access_code_id", sa.Integer(), nullable=True),
        sa.Column("redeemed_code_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("flag_too_fast", sa.Boolean(), nullable=False),
        sa.Column("flag_straight_lining", sa.Boolean(), nullable=False),
        sa.Column("flag_duplicate_suspect", sa.Boolean(), nullable=False),
        sa.Column("flag_burst", sa.Boolean(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("excluded_reason", sa.String(length=200), nullable=True),
        sa.Column("stratum", sa.String(length=64), nullable=True),
        sa.Column("cluster", sa.String(length=64), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "weight IS NULL OR weight > 0", name=op.f("ck_responses_weight_positive")
        ),
        sa.ForeignKeyConstraint(
            ["access_code_id"],
            ["access_codes.id"],
            name=op.f("fk_responses_access_code_id_access_codes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_responses_campaign_id_campaigns"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_responses_official_id_officials"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_responses_questionnaire_id_questionnaires"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_code_id"],
            ["access_codes.id"],
            name=op.f("fk_responses_redeemed_code_id_access_codes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_responses_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_responses_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint(
            "campaign_id",
            "submission_id",
            name=op.f("uq_responses_campaign_id_submission_id"),
        ),
        sa.UniqueConstraint(
            "redeemed_code_id", name=op.f("uq_responses_redeemed_code_id")
        ),
    )
    op.create_index(
        op.f("ix_responses_access_code_id"), "responses", ["access_code_id"]
    )
    op.create_index(op.f("ix_responses_official_id"), "responses", ["official_id"])
    op.create_index(
        op.f("ix_responses_questionnaire_id"), "responses", ["questionnaire_id"]
    )
    op.create_index(
        op.f("ix_responses_service_point_id"), "responses", ["service_point_id"]
    )
    op.create_index(
        "ix_responses_unit_id_submitted_at", "responses", ["unit_id", "submitted_at"]
    )
    op.create_table(
        "answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_answers_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question", name=op.f("pk_answers")),
    )
    op.create_table(
        "follow_up_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("purge_after", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_follow_up_contacts_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_contacts")),
        sa.UniqueConstraint(
            "response_id", name=op.f("uq_follow_up_contacts_response_id")
        ),
    )
    op.create_index(
        op.f("ix_follow_up_contacts_purge_after"), "follow_up_contacts", ["purge_after"]
    )


def downgrade() -> None:
    op.drop_table("follow_up_contacts")
    op.drop_table("answers")
    op.drop_table("responses")
    op.drop_table("service_point_officials")
    op.drop_table("audit_events")
    op.drop_table("access_codes")
    op.drop_table("users")
    op.drop_table("service_points")
    op.drop_table("officials")
    op.drop_table("campaigns")
    op.drop_table("units")
    op.drop_table("questionnaires")
