"""Officials: a code is unique within its unit, not across the database.

Each ward numbers its own staff; with one code space for the whole database a
ward manager adding ``cb01`` was refused because another ward had one, which
told them what exists outside their scope. ``uq_officials_code`` becomes
``uq_officials_unit_id_code``. Both rebuild the table on SQLite (batch mode).

Downgrading refuses while two units have officials with the same code.

Revision ID: 45db765db4a6
Revises: c1a8f3d5e2b7
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "45db765db4a6"
down_revision: str | None = "c1a8f3d5e2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GLOBAL = "uq_officials_code"
PER_UNIT = "uq_officials_unit_id_code"


def upgrade() -> None:
    with op.batch_alter_table("officials") as batch:
        batch.drop_constraint(GLOBAL, type_="unique")
        batch.create_unique_constraint(PER_UNIT, ["unit_id", "code"])


def downgrade() -> None:
    with op.batch_alter_table("officials") as batch:
        batch.drop_constraint(PER_UNIT, type_="unique")
        batch.create_unique_constraint(GLOBAL, ["code"])
