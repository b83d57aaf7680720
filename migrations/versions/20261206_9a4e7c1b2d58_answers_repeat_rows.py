"""Answers: the row of a repeat (a household roster) joins the primary key.

``answers.position`` is 1, 2, ... for the rows of a repeat and 0 for every other
answer, including all those stored before; the primary key becomes
(response, question, position). SQLite rebuilds the table (batch mode, keeping
it WITHOUT ROWID); PostgreSQL adds the column and swaps the key in place.

Revision ID: 9a4e7c1b2d58
Revises: e4f1a7c9b2d6
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a4e7c1b2d58"
down_revision: str | None = "e4f1a7c9b2d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "pk_answers"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    options = {"recreate": "always", "table_kwargs": {"sqlite_with_rowid": False}}
    with op.batch_alter_table("answers", **(options if sqlite else {})) as batch:
        batch.add_column(
            sa.Column("position", sa.Integer(), nullable=False, server_default="0")
        )
        batch.drop_constraint(KEY, type_="primary")
        batch.create_primary_key(KEY, ["response_id", "question", "position"])


def downgrade() -> None:
    # Rows of repeats have no place in the old key: they go.
    op.execute(sa.text("DELETE FROM answers WHERE position <> 0"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    options = {"recreate": "always", "table_kwargs": {"sqlite_with_rowid": False}}
    with op.batch_alter_table("answers", **(options if sqlite else {})) as batch:
        batch.drop_constraint(KEY, type_="primary")
        batch.create_primary_key(KEY, ["response_id", "question"])
        batch.drop_column("position")
