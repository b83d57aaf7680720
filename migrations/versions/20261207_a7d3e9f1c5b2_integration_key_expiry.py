"""Integration keys expire, and may be allowed to read officials.

``expires_at``: the moment a key stops working, chosen when it is made. Keys
made before stay without an end (NULL) until they are revoked: their holders
were told nothing of an end, and cutting them off unannounced would stop a
city's dashboard. Every key made from now on has one (30, 90 or 365 days).

``can_read_officials``: the key reads officials' names and their ratings, as
the unit's managers do on the staff pages (a viewer does not). Off for every
key made before: none was made to read them.

Revision ID: a7d3e9f1c5b2
Revises: c4e8b2d6f1a9
Create Date: 2026-12-07 01:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d3e9f1c5b2"
down_revision: str | None = "c4e8b2d6f1a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("integration_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "can_read_officials",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("integration_keys", schema=None) as batch_op:
        batch_op.drop_column("can_read_officials")
        batch_op.drop_column("expires_at")
