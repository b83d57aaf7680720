"""Dossiers: indexes that hold every column the figures read.

On time or late by month of return (with the rating codes of those dossiers,
through which their satisfaction is read), the shares of the dossiers received
(online, paid online, digitised) and the dossiers open or returned late by due
date were read through narrow indexes and then row by row from the table: a
district's million dossiers took 2-5 s a quarter on SQLite. With the columns
in the indexes each figure is read from its index alone (well under a second;
bench/bench_dossier_figures.py, docs/benchmarks.md). The wider indexes replace
the narrow ones, whose columns they start with.

Revision ID: f3b8c2a7d915
Revises: 5e7a1c2d9b40
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f3b8c2a7d915"
down_revision: str | None = "5e7a1c2d9b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Each index before and after: (name, columns).
NARROW = (
    ("ix_dossiers_unit_id_returned_month", ["unit_id", "returned_month"]),
    ("ix_dossiers_unit_id_received_month", ["unit_id", "received_month"]),
    ("ix_dossiers_open_due", ["unit_id", "returned_at", "due_at"]),
)
WIDE = (
    (
        "ix_dossiers_returned_figures",
        ["unit_id", "returned_month", "status", "working_days_late", "access_code_id"],
    ),
    (
        "ix_dossiers_received_figures",
        ["unit_id", "received_month", "channel", "paid_online", "digitised"],
    ),
    (
        "ix_dossiers_open_due",
        ["unit_id", "returned_at", "due_at", "status", "received_at"],
    ),
)


def upgrade() -> None:
    for name, _ in NARROW:
        op.drop_index(name, table_name="dossiers")
    for name, columns in WIDE:
        op.create_index(name, "dossiers", columns)


def downgrade() -> None:
    for name, _ in WIDE:
        op.drop_index(name, table_name="dossiers")
    for name, columns in NARROW:
        op.create_index(name, "dossiers", columns)
