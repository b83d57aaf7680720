"""The demo's dossier ratings: the SIPAS ratings tied to returned dossiers of their
wards, and a rating code for every other dossier, so that satisfaction on time
versus late shows on the pages and in the reports.

Ratings of poor service are more often tied to late dossiers, as in life.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.privacy import dossier_hash
from surveys.dossiers.rating_codes import issue_rating_codes
from surveys.models import (
    AccessCode,
    Answer,
    Campaign,
    CampaignMode,
    Dossier,
    DossierStatus,
    Response,
)
from surveys.units.tree import subtree_ids

#: How likely a poor rating (3 or less), and a good one, goes to a late dossier
#: of its ward first: late dossiers are rated worse, not all badly.
LATE_FIRST = {True: 0.6, False: 0.12}


def tie_ratings(
    session: Session,
    rng: np.random.Generator,
    key: bytes,
    district_id: int,
    today: date,
) -> int:
    """Tie the dossier campaign's ratings to dossiers, then issue the other codes.

    Returns how many ratings were tied; nothing happens when some dossier of
    the district already has a code (the demo was seeded before).
    """
    units = subtree_ids(district_id)
    if session.scalar(
        select(Dossier.id).where(
            Dossier.unit_id.in_(units), Dossier.access_code_id.is_not(None)
        )
    ):
        return 0
    ratings = session.execute(
        select(AccessCode, Answer.value_num)
        .join(Response, Response.redeemed_code_id == AccessCode.id)
        .join(Campaign, Campaign.id == AccessCode.campaign_id)
        .join(
            Answer, (Answer.response_id == Response.id) & (Answer.question == "overall")
        )
        .where(Campaign.mode == CampaignMode.DOSSIER, AccessCode.unit_id.in_(units))
        .order_by(AccessCode.id)
    ).all()
    returned = session.scalars(
        select(Dossier)
        .where(Dossier.unit_id.in_(units), Dossier.status == DossierStatus.RETURNED)
        .order_by(Dossier.id)
    ).all()
    late: dict[int, list[Dossier]] = {}
    in_time: dict[int, list[Dossier]] = {}
    for dossier in returned:
        side = late if (dossier.working_days_late or 0) > 0 else in_time
        side.setdefault(dossier.unit_id, []).append(dossier)
    tied = 0
    for code, overall in ratings:
        poor = overall is not None and overall <= 3
        first, second = (
            (late, in_time) if rng.random() < LATE_FIRST[poor] else (in_time, late)
        )
        pool = first.get(code.unit_id) or second.get(code.unit_id)
        if not pool:
            continue
        dossier = pool.pop(int(rng.integers(len(pool))))
        code.dossier_hash = dossier_hash(key, dossier.code)
        dossier.access_code_id = code.id
        tied += 1
    session.flush()
    issue_rating_codes(session, key, units, today=today)
    return tied
