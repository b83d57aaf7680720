"""Report downloads: a unit's or the district's report as PDF, XLSX or CSV.

Behind the staff login; the unit and campaign are chosen as on the dashboard
(``app.reports.selection``), so another ward's report is not found. Every
download is recorded in the audit trail before a byte leaves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from flask import Response, abort, stream_with_context
from werkzeug.wrappers import Response as BaseResponse

from app.auth import current_scope, current_staff, login_wall
from app.db import get_session, session_factory
from app.i18n import current_language
from app.reports.blueprint import bp
from app.reports.csv import responses_csv
from app.reports.data import district_report, unit_report
from app.reports.layout import DISTRICT_TITLE, UNIT_TITLE
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.selection import Selection, selected
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.access.audit import AuditAction, record_event
from surveys.db import READ_ONLY, begin_writing
from surveys.models import Campaign
from surveys.units.tree import subtree_ids

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: What a downloaded file is named after, in the reader's language.
TITLES = {"unit": UNIT_TITLE, "district": DISTRICT_TITLE}
#: Characters kept in the plain-ASCII file name, for browsers that ignore filename*.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

bp.before_request(login_wall())


@bp.after_request
def _never_cache(response: BaseResponse) -> BaseResponse:
    # Reports hold results a shared office computer must not keep after logout.
    response.headers["Cache-Control"] = "no-store"
    return response


def _streamed_csv(
    campaign_id: int, unit_ids: list[int], period: str, with_officials: bool
) -> Iterator[bytes]:
    """Stream responses from a session of its own: the request's one is closed at
    teardown, before the last page has gone out. It only reads: on SQLite it
    then holds no write lock however long the download takes."""
    with session_factory()(execution_options=READ_ONLY) as session:
        campaign = session.get_one(Campaign, campaign_id)
        yield from responses_csv(
            session, campaign, unit_ids, period, with_officials=with_officials
        )


def _unit_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render one unit's report, or stream its responses."""
    session, campaign = get_session(), selection.campaign
    if kind == "csv":
        return _streamed_csv(
            campaign.id,
            [selection.unit.id],
            selection.period,
            current_scope().can_manage,
        )
    report = unit_report(
        session,
        selection.unit,
        campaign,
        selection.period,
        language=current_language(),
        show_officials=current_scope().can_manage,
    )
    return unit_report_pdf(report) if kind == "pdf" else unit_report_xlsx(report)


def _district_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render the league table of the unit's subtree, or stream all its responses."""
    session, campaign = get_session(), selection.campaign
    if kind == "csv":
        units = list(session.scalars(subtree_ids(selection.unit.id)))
        return _streamed_csv(
            campaign.id, units, selection.period, current_scope().can_manage
        )
    report = district_report(
        session, selection.unit, campaign, selection.period, language=current_language()
    )
    return (
        district_report_pdf(report) if kind == "pdf" else district_report_xlsx(report)
    )


def download(
    unit_code: str,
    *,
    scope: str,
    kind: str,
    render: Callable[[Selection, str], bytes | Iterator[bytes]],
) -> Response:
    """Send one report file, after recording who took it."""
    selection = selected(unit_code)
    if selection.campaign is None:
        abort(404)
    body = render(selection, kind)
    session = get_session()
    begin_writing(session)
    record_event(
        session,
        AuditAction.EXPORT,
        current_staff().id,
        object_type="unit",
        object_id=selection.unit.code,
        detail={
            "report": scope,
            "format": kind,
            "campaign": selection.campaign.key,
            "period": selection.period,
        },
    )
    session.commit()
    if not isinstance(body, bytes):
        body = stream_with_context(body)
    response = Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = attachment(selection, scope, kind)
    return response


def attachment(selection: Selection, scope: str, kind: str) -> str:
    """Name the file in the reader's language, with an ASCII name for old browsers."""
    unit, period = selection.unit, selection.period
    title = TITLES[scope]
    name = f"{title} - {unit.name} - {period}.{kind}"
    fallback = _UNSAFE.sub("-", f"hailong-{scope}-{unit.code}-{period}") + f".{kind}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _view(
    scope: str, kind: str, render: Callable[[Selection, str], bytes | Iterator[bytes]]
) -> Callable[[str], Response]:
    """Make the view of one scope and format, named as its endpoint."""

    def view(unit_code: str) -> Response:
        return download(unit_code, scope=scope, kind=kind, render=render)

    view.__name__ = view.__qualname__ = f"{scope}_{kind}"
    return view


# One endpoint per scope and format (reports.unit_pdf, ...), so each is a plain
# address with no format parameter, and each is walked by the scope test.
for _scope, _render in (("unit", _unit_body), ("district", _district_body)):
    for _kind in MIMETYPES:
        bp.add_url_rule(
            f"/units/<unit_code>/{_scope}.{_kind}",
            view_func=_view(_scope, _kind, _render),
        )
