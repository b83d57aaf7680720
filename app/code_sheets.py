"""What issued access codes are handed out as: a CSV list and a sheet of receipts.

Shared by the ``codes issue`` command and the staff pages, so both give the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from app.i18n import lazy_gettext
from app.printing import ReceiptEntry, receipt_sheet_pdf, survey_url
from app.spreadsheets import write_csv_rows
from surveys.access.codes import format_token
from surveys.models import AccessCode

#: Vietnam keeps UTC+7 all year; an expiry date ends at midnight there.
LOCAL_TIME = timezone(timedelta(hours=7), "ICT")
#: The list's columns, named in the language of the page that downloads it.
CSV_HEADER = (
    lazy_gettext("Mã"),
    lazy_gettext("Mã in trên phiếu"),
    lazy_gettext("Địa chỉ đánh giá"),
    lazy_gettext("Đơn vị"),
    lazy_gettext("Quầy"),
    lazy_gettext("Hết hạn"),
)

CodeRow = tuple[str, str, str, str, str, str]


def end_of_day(last_day: date) -> datetime:
    """Return the instant a code valid through ``last_day`` (Vietnam time) expires."""
    return datetime.combine(last_day + timedelta(days=1), time(0), LOCAL_TIME)


def code_rows(codes: Sequence[AccessCode], base_url: str) -> list[CodeRow]:
    """Return one row per code: token, printed form, address, unit, counter, expiry."""
    return [
        (
            code.token,
            format_token(code.token),
            survey_url(base_url, code.token),
            code.unit.name,
            code.service_point.name if code.service_point else "",
            _last_day(code.expires_at),
        )
        for code in codes
    ]


def codes_csv(rows: Sequence[CodeRow]) -> bytes:
    """Return the rows as a CSV that Excel opens with its diacritics intact."""
    handle = io.StringIO(newline="")
    write_csv_rows(csv.writer(handle), [str(name) for name in CSV_HEADER], rows)
    return handle.getvalue().encode("utf-8-sig")


def receipts_pdf(rows: Sequence[CodeRow]) -> bytes:
    """Return the sheet of receipts to print and cut out, one per row."""
    return receipt_sheet_pdf(
        [ReceiptEntry(url, token, unit) for token, _, url, unit, *_ in rows]
    )


def _last_day(expires_at: datetime | None) -> str:
    if expires_at is None:
        return ""
    return (expires_at.astimezone(LOCAL_TIME) - timedelta(days=1)).date().isoformat()
