"""Per-unit results at ``/api/v1``: the dashboard's numbers, as JSON.

The figures are ``app.reports.data.unit_report``'s, the very ones the dashboard
and the PDF report print for the unit alone (its own responses; a district's
units are each asked for apart): n, mean and share satisfied with their 95%
intervals, and the flags that say an estimate is unreliable or suppressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response

from app.api.v1.access import current_key
from app.api.v1.answers import answer, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.problems import Problem, bad_parameter
from app.api.v1.resources import found_in_scope
from app.api.v1.shapes import (
    ChannelEstimate,
    Estimate,
    OfficialEstimate,
    ResponseCounts,
    ResultsQuery,
    UnitResults,
)
from app.db import get_session
from app.i18n import current_language
from surveys.exchange.listings import campaign_covering
from surveys.models import Unit
from surveys.questionnaire.versions import definition_of
from surveys.storage.periods import period_bounds

if TYPE_CHECKING:
    import pandas as pd


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, a missing estimate (NaN) as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@bp.get("/units/<unit_code>/results")
@operation("results", query=ResultsQuery, response=UnitResults)
def unit_results(unit_code: str) -> Response:
    """Read a unit's results in a campaign, for a period, as its dashboard shows them.

    Labels are in the request's language (``Accept-Language``); ``item`` names
    each score whatever the language. Officials' scores only for a key made to
    read officials.
    """
    # pandas, numpy and SciPy load with the first results asked for, not with
    # the web app (tests/test_layering.py), as for the dashboard.
    from app.reports.data import score_labels, unit_report

    query = query_of(ResultsQuery)
    db = get_session()
    unit = found_in_scope(Unit, unit_code)
    campaign = campaign_covering(db, unit, query.campaign)
    if campaign is None:
        raise Problem("not-found")
    try:
        period_bounds(query.period)
    except ValueError:
        raise bad_parameter("period", "unknown_period") from None
    language = current_language()
    officials = current_key().can_read_officials
    report = unit_report(
        db,
        unit,
        campaign,
        query.period,
        language=language,
        show_officials=officials,
        with_dossiers=False,
        channel=query.channel,
    )
    names = {}
    for name, label in score_labels(
        definition_of(campaign.questionnaire), language
    ).items():
        names.setdefault(label, name)
    estimates = [
        [Estimate(item=names.get(row["label"]), **row) for row in _records(frame)]
        for frame in (report.items, report.dimensions)
    ]
    fields = set(OfficialEstimate.model_fields)
    return answer(
        UnitResults(
            unit_code=unit.code,
            campaign_key=campaign.key,
            period=query.period,
            channel=query.channel,
            headline=report.header.headline,
            counts=ResponseCounts(
                responses=report.counts.responses,
                verified=report.counts.verified,
                excluded=report.counts.excluded,
            ),
            items=estimates[0],
            dimensions=estimates[1],
            counters=[Estimate(item=None, **row) for row in _records(report.counters)],
            officials=[
                OfficialEstimate(**{k: v for k, v in row.items() if k in fields})
                for row in _records(report.officials)
            ]
            if officials
            else None,
            channels=[
                ChannelEstimate(item=report.header.headline, **row)
                for row in _records(report.channels)
            ],
        )
    )
