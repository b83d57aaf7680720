"""Tallies, day counts and rated comments by channel (issue 19, point 4).

Paper forms keyed in become responses with the channel ``paper`` beside the
campaign's own mode, and a unit's results are shown by channel and together:
``item_tallies``, ``item_day_tallies``, ``rated_comments`` and
``response_days`` get the responses' ``channel`` in their cells (the day
counts in their primary key). A reader filters or groups on it like on
``verified``; one channel more in a campaign adds its own cells, no read of
the responses.

Filled, for the day tallies too (``c4e8b2d6f1a9``, whose own fill moved
here), by recounting every campaign with the catch-up's own scoring
(``surveys.storage.tallies.rebuild_tallies``); the day counts from every
response the catch-up has counted. The tables are emptied first, so that the
new columns need no default.

Revision ID: d5a1f9c3e7b2
Revises: b8f2c6d4e1a3
Create Date: 2026-12-07 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "d5a1f9c3e7b2"
down_revision: str | None = "b8f2c6d4e1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables filled by recounting the campaigns.
RECOUNTED = ("item_tallies", "item_day_tallies", "rated_comments")
#: The day in Vietnam (UTC+7, no daylight saving time) of a stored UTC time.
LOCAL_DAY = {
    "sqlite": "date(submitted_at, '+7 hours')",
    "postgresql": "CAST(submitted_at + INTERVAL '7 hours' AS date)",
}
DAY_KEY = ["campaign_id", "unit_id", "day", "verified", "excluded"]


def upgrade() -> None:
    for table in (*RECOUNTED, "response_days"):
        op.execute(f"DELETE FROM {table}")
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.add_column(sa.Column("channel", sa.String(20), nullable=False))
    with op.batch_alter_table("response_days") as batch:
        batch.drop_constraint("pk_response_days", type_="primary")
        batch.create_primary_key("pk_response_days", [*DAY_KEY, "channel"])
    _fill_days("channel")
    from surveys.storage.tallies import rebuild_tallies

    session = Session(bind=op.get_bind())
    for (campaign_id,) in session.execute(sa.text("SELECT id FROM campaigns")).all():
        rebuild_tallies(session, campaign_id)
    session.flush()


def downgrade() -> None:
    op.execute("DELETE FROM response_days")
    with op.batch_alter_table("response_days", recreate="always") as batch:
        batch.drop_constraint("pk_response_days", type_="primary")
        batch.drop_column("channel")
        batch.create_primary_key("pk_response_days", DAY_KEY)
    _fill_days()
    # The tallies keep their rows: each is still one cell's sums (its key
    # names the channel, so none collides with another without it).
    for table in RECOUNTED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("channel")


def _fill_days(*extra: str) -> None:
    """Count every response the catch-up has counted into ``response_days``."""
    day = LOCAL_DAY[op.get_bind().dialect.name]
    key = ", ".join(["campaign_id", "unit_id", "day", "verified", "excluded", *extra])
    read = key.replace("day", day, 1)
    op.execute(
        f"INSERT INTO response_days ({key}, n, latest)"
        f" SELECT {read}, count(*), max(submitted_at)"
        " FROM responses WHERE id <= (SELECT last_id FROM watermarks"
        " WHERE name = 'tallies')"
        f" GROUP BY {read}"
    )
