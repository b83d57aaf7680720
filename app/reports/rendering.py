"""A report's body in each format, and the name of its file.

Imported by the report views on the first download (``app.reports.routes``):
this module brings the numerical stack, which no other page needs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from flask import abort, make_response, request
from sqlalchemy.orm import Session

from app.auth import current_scope
from app.db import get_session, session_factory
from app.i18n import _, current_language, label_language
from app.reports import responses_xlsx
from app.reports.csv import responses_csv, roster_csv, table_of
from app.reports.data import district_report, unit_report
from app.reports.layout import DISTRICT_TITLE, UNIT_TITLE
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.responses_xlsx import beyond_excel, responses_workbook
from app.reports.selection import Selection, layout_asked
from app.reports.stat_files import FORMATS, dataset_file
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.db import READ_ONLY
from surveys.exchange.dataset import LAYOUTS, response_dataset
from surveys.models import Campaign
from surveys.questionnaire.versions import definition_of
from surveys.storage.exports import exported_count
from surveys.storage.periods import period_bounds
from surveys.units.tree import subtree_ids

#: The responses as a workbook (``unit.responses.xlsx``), not the report's.
RESPONSES_XLSX = "responses.xlsx"
#: What a downloaded file is named after, in the reader's language.
TITLES = {"unit": UNIT_TITLE, "district": DISTRICT_TITLE}
#: Characters kept in the plain-ASCII file name, for browsers that ignore filename*.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


#: The downloads of the responses themselves, beside the reports.
RESPONSE_FORMATS = ("csv", RESPONSES_XLSX, *FORMATS)


@dataclass(frozen=True)
class Asked:
    """How a download of responses is asked to write them (its query string)."""

    #: Options as ``codes`` or ``labels`` (CSV, XLSX; the statistical files
    #: always number them, with value labels).
    values: str
    #: The language of labels: the questionnaire's best match for ``?lang``
    #: (else the page's language).
    language: str
    #: A select_multiple as ``cell`` or ``columns`` of 0/1.
    multiple: str

    @property
    def labels_in(self) -> str | None:
        """The language options are written in, None for codes."""
        return self.language if self.values == "labels" else None

    def recorded(self) -> dict[str, str]:
        """What the audit trail keeps of the options."""
        return {"values": self.values, "language": self.language,
                "multiple": self.multiple}  # fmt: skip


#: What the responses' options are written as (``?values=labels``): codes by default.
VALUES = ("codes", "labels")


def values_asked() -> str:
    """Read whether a download asks for options as codes or labels (else 404)."""
    values = request.args.get("values", VALUES[0])
    if values not in VALUES:
        abort(404)
    return values


def asked(selection: Selection, kind: str) -> Asked:
    """Read the options of a download of responses (a value unknown is a 404).

    A select_multiple is one cell in the CSV and XLSX unless asked otherwise,
    a 0/1 variable per option in SPSS and Stata files.
    """
    questionnaire = definition_of(selection.campaign.questionnaire)
    multiple = layout_asked(LAYOUTS[0] if kind in FORMATS else LAYOUTS[1])
    return Asked(values_asked(), label_language(questionnaire.languages), multiple)


def _read_only(
    write: Callable[[Session, Campaign], Iterator[bytes]], campaign_id: int
) -> Iterator[bytes]:
    """Stream what ``write`` writes from a session of its own: the request's
    one is closed at teardown, before the last page has gone out. It only
    reads: on SQLite it then holds no write lock however long the download
    takes."""
    with session_factory()(execution_options=READ_ONLY) as session:
        yield from write(session, session.get_one(Campaign, campaign_id))


def responses_body(
    selection: Selection, unit_ids: list[int], kind: str
) -> Iterator[bytes]:
    """Stream the responses of ``unit_ids`` as ``kind``, as asked."""
    options = asked(selection, kind)
    with_officials = current_scope().can_manage
    repeat = repeat_asked(selection) if kind == "csv" else None
    write: Callable[[Session, Campaign], Iterator[bytes]]
    if repeat is not None:
        write = functools.partial(
            roster_csv, repeat=repeat, unit_ids=unit_ids, period=selection.period,
            labels_in=options.labels_in,
        )  # fmt: skip
    elif kind == "csv":
        write = functools.partial(
            responses_csv, unit_ids=unit_ids, period=selection.period,
            with_officials=with_officials, labels_in=options.labels_in,
            multiple=options.multiple,
        )  # fmt: skip
    elif kind == RESPONSES_XLSX:
        _refuse_beyond_excel(selection, unit_ids)
        write = functools.partial(
            _workbook, unit_ids=unit_ids, period=selection.period,
            with_officials=with_officials, options=options,
        )  # fmt: skip
    else:
        return statistical_file(selection, unit_ids, kind, options)
    return _read_only(write, selection.campaign.id)


def _workbook(
    session: Session,
    campaign: Campaign,
    *,
    unit_ids: list[int],
    period: str,
    with_officials: bool,
    options: Asked,
) -> Iterator[bytes]:
    """Write the responses as the CSV's columns into one workbook."""
    dataset = table_of(
        session, campaign, unit_ids, period, with_officials=with_officials,
        labels_in=options.labels_in, multiple=options.multiple,
    )  # fmt: skip
    return responses_workbook(dataset, _("Phiếu trả lời"))


def _refuse_beyond_excel(selection: Selection, unit_ids: list[int]) -> None:
    """Refuse, before anything is written, a workbook Excel could not open."""
    count = exported_count(
        get_session(), selection.campaign.id, unit_ids=unit_ids,
        between=period_bounds(selection.period),
    )  # fmt: skip
    if beyond_excel(count):
        message = _(
            "Có %(count)s phiếu, nhiều hơn số dòng một trang tính Excel chứa được "
            "(%(limit)s). Hãy tải tệp CSV: tệp này không giới hạn số dòng.",
            count=f"{count:,}".replace(",", "."),
            limit=f"{responses_xlsx.EXCEL_ROWS - 1:,}".replace(",", "."),
        )
        plain = {"Content-Type": "text/plain; charset=utf-8"}
        abort(make_response(message, 422, plain))


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
    selection: Selection, unit_ids: list[int], kind: str, options: Asked
) -> Iterator[bytes]:
    """Write the responses of ``unit_ids`` as an SPSS or Stata file, labelled in
    the language asked, from a session of its own that only reads (as the
    CSV's), and give the file's bytes to stream."""
    with session_factory()(execution_options=READ_ONLY) as session:
        dataset = response_dataset(
            session,
            session.get_one(Campaign, selection.campaign.id),
            unit_ids,
            period_bounds(selection.period),
            with_officials=current_scope().can_manage,
            language=options.language,
            multiple=options.multiple,
        )
        return dataset_file(dataset, kind)


def unit_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render one unit's report, or stream its responses."""
    session, campaign = get_session(), selection.campaign
    if kind in RESPONSE_FORMATS:
        return responses_body(selection, [selection.unit.id], kind)
    report = unit_report(
        session,
        selection.unit,
        campaign,
        selection.period,
        language=current_language(),
        show_officials=current_scope().can_manage,
        channel=selection.channel,
    )
    return unit_report_pdf(report) if kind == "pdf" else unit_report_xlsx(report)


def district_body(selection: Selection, kind: str) -> bytes | Iterator[bytes]:
    """Render the league table of the unit's subtree, or stream all its responses."""
    session, campaign = get_session(), selection.campaign
    if kind in RESPONSE_FORMATS:
        unit_ids = list(session.scalars(subtree_ids(selection.unit.id)))
        return responses_body(selection, unit_ids, kind)
    report = district_report(
        session,
        selection.unit,
        campaign,
        selection.period,
        language=current_language(),
        channel=selection.channel,
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
    labels = kind in ("csv", RESPONSES_XLSX) and values_asked() == "labels"
    extension = kind.rsplit(".", 1)[-1]
    part = f" - {repeat}" if repeat else ""
    if kind == RESPONSES_XLSX:
        part += " - " + _("phiếu trả lời")
    if labels:
        part += " - " + _("nhãn")
    name = f"{title} - {unit.name} - {period}{part}.{extension}"
    fallback = f"hailong-{scope}-{unit.code}-{period}"
    fallback += (f"-{repeat}" if repeat else "") + (
        "-responses" if kind == RESPONSES_XLSX else ""
    )
    fallback += "-labels" if labels else ""
    fallback = f"{_UNSAFE.sub('-', fallback)}.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
