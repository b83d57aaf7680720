"""Report downloads: a unit's or the district's report as PDF, XLSX or CSV, and
its responses as SPSS ``.sav`` or Stata ``.dta``.

Behind the staff login; the unit and campaign are chosen as on the dashboard
(``app.reports.selection``), so another ward's report is not found. Every
download is recorded in the audit trail before a byte leaves.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, stream_with_context
from werkzeug.wrappers import Response as BaseResponse

from app.auth import login_wall
from app.download_audit import record_staff_download
from app.reports.blueprint import bp
from app.reports.selection import Selection, selected

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    # The responses as SPSS and Stata files, labelled (app.reports.stat_files).
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    # The responses as a workbook, the CSV's columns (app.reports.responses_xlsx).
    "responses.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}

bp.before_request(login_wall())


@bp.after_request
def _never_cache(response: BaseResponse) -> BaseResponse:
    # Reports hold results a shared office computer must not keep after logout.
    response.headers["Cache-Control"] = "no-store"
    return response


def record_download(selection: Selection, detail: dict[str, object]) -> None:
    """Record in the audit trail who takes a file of the selected campaign at
    the selected unit, before a byte of it leaves."""
    assert selection.campaign is not None
    record_staff_download(
        "unit", selection.unit.code, {"campaign": selection.campaign.key, **detail}
    )


def download(unit_code: str, *, scope: str, kind: str) -> Response:
    """Send one report file, after recording who took it."""
    # Rendering brings pandas, SciPy, matplotlib, fpdf and openpyxl: a process
    # loads them with its first report, not when it starts, so that a restarted
    # worker serves citizens at once.
    from app.reports.rendering import (
        BODIES,
        RESPONSE_FORMATS,
        asked,
        attachment,
        repeat_asked,
    )

    selection = selected(unit_code)
    if selection.campaign is None or selection.range_refused:
        abort(404)
    body = BODIES[scope](selection, kind)
    record_download(
        selection,
        {
            "report": scope,
            "format": kind,
            "period": selection.period,
            # Reports of one channel; the responses' files list every channel.
            **(
                {"channel": selection.channel}
                if selection.channel and kind not in RESPONSE_FORMATS
                else {}
            ),
            **({"repeat": repeat} if (repeat := repeat_asked(selection)) else {}),
            **(asked(selection, kind).recorded() if kind in RESPONSE_FORMATS else {}),
        },
    )
    if not isinstance(body, bytes):
        body = stream_with_context(body)
    response = Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = attachment(selection, scope, kind)
    return response


def _view(scope: str, kind: str) -> Callable[[str], Response]:
    """Make the view of one scope and format, named as its endpoint."""

    def view(unit_code: str) -> Response:
        return download(unit_code, scope=scope, kind=kind)

    view.__name__ = view.__qualname__ = f"{scope}_{kind.replace('.', '_')}"
    return view


# One endpoint per scope and format (reports.unit_pdf, reports.unit_responses_xlsx
# ...), so each is a plain
# address with no format parameter, and each is walked by the scope test.
for _scope in ("unit", "district"):
    for _kind in MIMETYPES:
        bp.add_url_rule(
            f"/units/<unit_code>/{_scope}.{_kind}", view_func=_view(_scope, _kind)
        )
