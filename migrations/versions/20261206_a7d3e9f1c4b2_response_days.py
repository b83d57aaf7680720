"""Responses counted per unit and day (Vietnam time), kept by the catch-up.

Reports count their responses (all, verified, excluded; per month for the
trend) and when the latest came in; read from the responses, that was a scan
of a district's million rows four times per dashboard. ``response_days`` holds a
few rows per unit and day, kept with the item tallies from the same watermark,
and counts a range of days exactly. Filled here from every response the
catch-up has already counted (the later ones it counts itself).

Revision ID: a7d3e9f1c4b2
Revises: 3d9b6f2c8e41
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d3e9f1c4b2"
down_revision: str | None = "3d9b6f2c8e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The day in Vietnam (UTC+7, no daylight saving time) of a stored UTC time.
LOCAL_DAY = {
    "sqlite": "date(submitted_at, '+7 hours')",
    "postgresql": "CAST(submitted_at + INTERVAL '7 hours' AS date)",
}


def upgrade() -> None:
    op.create_table(
        "response_days",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("latest", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_response_days_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_response_days_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            "unit_id",
            "day",
            "verified",
            "excluded",
            name=op.f("pk_response_days"),
        ),
    )
    day = LOCAL_DAY[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO response_days"
        " (campaign_id, unit_id, day, verified, excluded, n, latest)"
        f" SELECT campaign_id, unit_id, {day}, verified, excluded, count(*),"
        " max(submitted_at)"
        " FROM responses WHERE id <= (SELECT last_id FROM watermarks"
        " WHERE name = 'tallies')"
        f" GROUP BY campaign_id, unit_id, {day}, verified, excluded"
    )


def downgrade() -> None:
    op.drop_table("response_days")
