"""Which channels a unit's responses came through, read without pandas.

The dashboard's filters offer them when every staff page is served: this
module is imported with the web app, which loads no numerical library
(``tests/test_layering.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import ResponseChannel, ResponseDay
from surveys.storage.tallies import caught_up


def channels_present(
    session: Session, campaign_id: int, unit_ids: Sequence[int]
) -> list[str]:
    """Return the channels the units' kept responses to a campaign came through,
    in ``ResponseChannel`` order; read from the day counts."""
    caught_up(session)
    found = set(
        session.scalars(
            select(ResponseDay.channel)
            .where(
                ResponseDay.campaign_id == campaign_id,
                ResponseDay.unit_id.in_(list(unit_ids)),
                ResponseDay.excluded.is_(False),
                ResponseDay.n > 0,
            )
            .distinct()
        )
    )
    return [channel for channel in ResponseChannel if channel in found]
