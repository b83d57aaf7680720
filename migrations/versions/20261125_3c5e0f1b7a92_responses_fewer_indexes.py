"""Responses: drop the indexes of four references no query filters by.

``questionnaire_id``, ``service_point_id``, ``official_id`` and
``access_code_id`` were indexed one by one. No query selects responses by them
(per-counter and per-official reports read the item tallies), and hailong never
deletes a questionnaire, counter, official or code (it deactivates them), so the
indexes served nothing while every stored rating wrote a page of each. A delete
made by hand still works; its RESTRICT check then scans the responses.

Revision ID: 3c5e0f1b7a92
Revises: 79cb28a236d1
Create Date: 2026-11-25 18:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "3c5e0f1b7a92"
down_revision: str | None = "79cb28a236d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("questionnaire_id", "service_point_id", "official_id", "access_code_id")


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_responses_{column}", table_name="responses")


def downgrade() -> None:
    for column in COLUMNS:
        op.create_index(f"ix_responses_{column}", "responses", [column])
