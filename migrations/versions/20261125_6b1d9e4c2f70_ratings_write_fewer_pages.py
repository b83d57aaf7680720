"""Responses and answers: two pages less written per counter rating.

- The uniqueness of ``responses.redeemed_code_id`` (one response per single-use
  code) becomes a partial unique index over the rows that have one: a rating
  through a standing code has none and no longer writes an index entry.
- On SQLite, ``answers`` is stored WITHOUT ROWID: its rows live in the b-tree
  of their primary key (response, question) instead of a table and an index.

Both rebuild the table on SQLite (Alembic's batch mode copies the rows; the
environment turns foreign keys off meanwhile, see ``migrations/env.py``).

Revision ID: 6b1d9e4c2f70
Revises: 3c5e0f1b7a92
Create Date: 2026-11-25 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b1d9e4c2f70"
down_revision: str | None = "3c5e0f1b7a92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_responses_redeemed_code_id"
REDEEMED = sa.text("redeemed_code_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_constraint(NAME, type_="unique")
    op.create_index(
        NAME,
        "responses",
        ["redeemed_code_id"],
        unique=True,
        sqlite_where=REDEEMED,
        postgresql_where=REDEEMED,
    )
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "answers", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "answers", recreate="always", table_kwargs={"sqlite_with_rowid": True}
        ):
            pass
    op.drop_index(NAME, table_name="responses")
    with op.batch_alter_table("responses") as batch:
        batch.create_unique_constraint(NAME, ["redeemed_code_id"])
