"""A report's body in each format, and the name of its file.

Imported by the report views on the first download (``app.reports.routes``):
this module brings the numerical stack, which no other page needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from flask import abort, request

from app.auth import current_scope
from app.db import get_session, session_factory
from app.i18n import _, current_language, label_language
from app.reports.csv import responses_csv, roster_csv
from app.reports.data import district_report, unit_report
from app.reports.layout import DISTRICT_TITLE, UNIT_TITLE
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.selection import Selection
from app.reports.stat_files import FORMATS, dataset_file
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.db import READ_ONLY
from surveys.exchange.dataset import response_dataset
from surveys.models import Campaign
from surveys.questionnaire.versions import definition_of
from surveys.storage.periods import period_bounds
from surveys.units.tree import subtree_ids

#: What a downloaded file is named after, in the reader's language.
TITLES = {"unit": UNIT_TITLE, "district": DISTRICT_TITLE}
#: Characters kept in the plain-ASCII file name, for browsers that ignore filename*.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def streamed_csv(
    campaign_id: int,
    unit_ids: list[int],
    period: str,
    with_officials: bool,
    repeat: str | None = None,
    labels_in: str | None = None,
) -> Iterator[bytes]:
    """Stream responses (or one repeat's rows) from a session of its own: the
    request's one is closed at teardown, before the last page has gone out. It
    only reads: on SQLite it then holds no write lock however long the download
    takes."""
    with session_factory()(execution_options=READ_ONLY) as session:
        campaign = session.get_one(Campaign, campaign_id)
        if repeat is not None:
            yield from roster_csv(
                session, campaign, repeat, unit_ids, period, labels_in=labels_in
            )
            return
        yield from responses_csv(
            session,
            campaign,
            unit_ids,
            period,
            with_officials=with_officials,
            labels_in=labels_in,
        )


#: What a CSV's options are written as (``?values=labels``): codes by default.
VALUES = ("codes", "labels")


def values_asked() -> str:
    """Read whether a CSV download asks for options as codes or labels (else 404)."""
    values = request.args.get("values", VALUES[0])
    if values not in VALUES:
        abort(404)
    return values


def _csv(selection: Selection, unit_ids: list[int]) -> Iterator[bytes]:
    """Stream the responses of ``unit_ids``, options in the page's language if
    labels are asked for."""
    labels_in = None
    if values_asked() == "labels":
        questionnaire = definition_of(selection.campaign.questionnaire)
        labels_in = label_language(questionnaire.languages)
    return streamed_csv(
        selection.campaign.id,
        unit_ids,
        selection.period,
        current_scope().can_manage,
        repeat_asked(selection),
        labels_in,
    )


def repeat_asked(selection: Selection) -> str | None:
    """Read which repeat's rows a CSV download asks for (``?repeat=members``).

    None asks for the responses themselves; a name the campaign's questionnaire
    has no repeat of is not found (404).
    """
    repeat = request.args.get("repeat")
    if repeat is None or selection.campaign is None:
        return None
    names = {r.name for r in definition_of(selection.campaign.questionnaire).repeats}
    if repeat not in names:
        abort(404)
    return repeat


def statistical_file(
    selection: Selection, unit_ids: list[int], kind: str
) -> Iterator[bytes]:
    """Write the responses of ``unit_ids`` as an SPSS or Stata file, labelled in
    the page's language, from a session of its own that only reads (as the
    CSV's), and give the file's bytes to stream."""
    questionnaire = definition_of(selection.campaign.questionnaire)
    with session_factory()(execution_options=READ_ONLY) as session:
        dataset = response_dataset(
            session,
            session.get_one(Campaign, selection.campaign.id),
            unit_ids,
            period_bounds(selection.period),
            with_officials=current_scope().can_manage,
            language=label_language(questionnaire.languages),
        )
        return dataset_file(dataset, kind)


def unit_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render one unit's report, or stream its responses."""
    session, campaign = get_session(), selection.campaign
    if kind == "csv":
        return _csv(selection, [selection.unit.id])
    if kind in FORMATS:
        return statistical_file(selection, [selection.unit.id], kind)
    report = unit_report(
        session,
        selection.unit,
        campaign,
        selection.period,
        language=current_language(),
        show_officials=current_scope().can_manage,
    )
    return unit_report_pdf(report) if kind == "pdf" else unit_report_xlsx(report)


def district_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render the league table of the unit's subtree, or stream all its responses."""
    session, campaign = get_session(), selection.campaign
    if kind == "csv" or kind in FORMATS:
        unit_ids = list(session.scalars(subtree_ids(selection.unit.id)))
        if kind in FORMATS:
            return statistical_file(selection, unit_ids, kind)
        return _csv(selection, unit_ids)
    report = district_report(
        session, selection.unit, campaign, selection.period, language=current_language()
    )
    return (
        district_report_pdf(report) if kind == "pdf" else district_report_xlsx(report)
    )


#: Each report's renderer: bytes, or the chunks of a streamed CSV or file.
BODIES: dict[str, Callable[[Selection, str], bytes | Iterator[bytes]]] = {
    "unit": unit_body,
    "district": district_body,
}


def attachment(selection: Selection, scope: str, kind: str) -> str:
    """Name the file in the reader's language, with an ASCII name for old browsers."""
    unit, period = selection.unit, selection.period
    title = TITLES[scope]
    repeat = repeat_asked(selection) if kind == "csv" else None
    labels = kind == "csv" and values_asked() == "labels"
    part = f" - {repeat}" if repeat else ""
    if labels:
        part += " - " + _("nhãn")
    name = f"{title} - {unit.name} - {period}{part}.{kind}"
    fallback = f"hailong-{scope}-{unit.code}-{period}"
    fallback += (f"-{repeat}" if repeat else "") + ("-labels" if labels else "")
    fallback = f"{_UNSAFE.sub('-', fallback)}.{kind}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
