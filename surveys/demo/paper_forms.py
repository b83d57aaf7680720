"""A batch of paper questionnaires of the household survey, printed and handed out.

Twenty forms for one residential group of Bến Nghé (the ``bennghe`` login's
ward), so the batch register has a batch to show and its forms can be keyed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.codes import SampleDesign
from surveys.models import Campaign, PaperBatch, Unit
from surveys.paper.batches import create_batch, hand_out, mark_printed

CAMPAIGN = "q1-papi-2026"
UNIT = "q1-ben-nghe"
FORMS = 20
HANDED_OUT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def ensure_paper_batch(session: Session) -> int:
    """Number, print and hand out the demo's batch unless it exists; its forms."""
    campaign = session.scalar(select(Campaign).where(Campaign.key == CAMPAIGN))
    if campaign is None or session.scalar(
        select(PaperBatch.id).where(PaperBatch.campaign_id == campaign.id).limit(1)
    ):
        return 0
    unit = session.scalar(select(Unit).where(Unit.code == UNIT))
    design = SampleDesign(stratum=None, cluster="khu-pho-1", weight=None)
    batch = create_batch(session, None, campaign, unit, FORMS, design=design)
    mark_printed(session, batch, HANDED_OUT - timedelta(days=1))
    hand_out(session, None, batch, "Tổ dân phố 3, khu phố 1", HANDED_OUT)
    return batch.count
