"""Which channels a unit's responses came through, read without pandas.

The dashboard's filters offer them when every staff page is served: this
module is imported with the web app, which loads no numerical library
(``tests/test_layering.py``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import ResponseChannel, ResponseDay
from surveys.storage.tallies import caught_up
from surveys.units.tree import subtree_ids


def channels_present(session: Session, campaign_id: int, unit_id: int) -> list[str]:
    """Return the channels the kept responses to a campaign at a unit and below
    it came through, in ``ResponseChannel`` order; read from the day counts, the
    units below it found in the same query."""
    caught_up(session)
    found = set(
        session.scalars(
            select(ResponseDay.channel)
            .where(
                ResponseDay.campaign_id == campaign_id,
                ResponseDay.unit_id.in_(subtree_ids(unit_id)),
                ResponseDay.excluded.is_(False),
                ResponseDay.n > 0,
            )
            .distinct()
        )
    )
    return [channel for channel in ResponseChannel if channel in found]
