"""The values of an export's cells as Vietnamese spreadsheets write them.

Dates come as ``dd/mm/yyyy``, with or without a time, ``dd-mm-yyyy``,
``HH:MM dd/mm/yyyy``, Excel serial numbers (the 1900 system) or a workbook's
own date cells, all in Vietnam's time; statuses, channels and yes-or-no as
words. Each reader returns the value or raises ``BadValue`` with the reason,
which echoes the cell.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from surveys.dossiers.columns import normalised
from surveys.dossiers.timing import local_instant
from surveys.models import DossierChannel, DossierStatus
from surveys.translatable import N_, Message

#: What a workbook cell may hold (openpyxl), or a CSV cell (always a text).
Cell = str | int | float | bool | datetime | date | time | None

#: Day 0 of Excel's 1900 date system, as the serials after February 1900 count.
EXCEL_EPOCH = date(1899, 12, 30)
#: Dates outside these years are taken for mistakes (a code typed in a date).
YEARS = (1990, 2100)


class BadValue(ValueError):
    """A cell that cannot be read as its column's value."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


def text(cell: Cell) -> str:
    """Return a cell as text: a whole number without ``.0``, spaces trimmed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


_DAY = r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})"
_TIME = r"(?P<hour>\d{1,2})\s*[:hHg]\s*(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_ISO = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_FORMS = [
    re.compile(rf"{_DAY}(?:[\sT,]+{_TIME})?"),
    re.compile(rf"{_TIME}[\s,]+(?:ngày\s+)?{_DAY}", re.IGNORECASE),
    re.compile(rf"{_ISO}(?:[\sT]+{_TIME})?"),
]
_SERIAL = re.compile(r"\d{4,6}(?:[.,]\d+)?")


@lru_cache(maxsize=4096)
def _parsed_text(value: str) -> datetime:
    """Read a written date (cached: an export repeats its days many times)."""
    for form in _FORMS:
        found = form.fullmatch(value)
        if found is not None:
            parts = found.groupdict()
            try:
                moment = datetime(
                    int(parts["year"]),
                    int(parts["month"]),
                    int(parts["day"]),
                    int(parts["hour"] or 0),
                    int(parts["minute"] or 0),
                    int(parts["second"] or 0),
                )
            except ValueError:
                break
            return _plausible(moment, value)
    if _SERIAL.fullmatch(value):
        return _serial(float(value.replace(",", ".")), value)
    raise BadValue(
        Message(
            N_(
                "“%(value)s” không phải là ngày (dạng dd/mm/yyyy, có thể kèm"
                " giờ HH:MM)."
            ),
            {"value": value},
        )
    )


def _plausible(moment: datetime, shown: str) -> datetime:
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise BadValue(
            Message(
                N_("Ngày “%(value)s” nằm ngoài các năm %(first)s–%(last)s."),
                {"value": shown, "first": YEARS[0], "last": YEARS[1]},
            )
        )
    return moment


def _serial(serial: float, shown: str) -> datetime:
    """Return the moment an Excel serial (days since 1899-12-30) names."""
    days = int(serial)
    seconds = round((serial - days) * 86400)
    moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=days)
    return _plausible(moment + timedelta(seconds=seconds), shown)


def local_moment(cell: Cell) -> datetime | None:
    """Return the moment a cell names, in Vietnam's time (naive); None when empty."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return _plausible(cell, str(cell))
    if isinstance(cell, date):
        return _plausible(datetime.combine(cell, time()), str(cell))
    if isinstance(cell, bool | time):
        raise BadValue(
            Message(N_("“%(value)s” không phải là ngày."), {"value": str(cell)})
        )
    if isinstance(cell, int | float):
        return _serial(float(cell), text(cell))
    value = cell.strip()
    return _parsed_text(value) if value else None


def instant(cell: Cell, minute_if_no_time: int = 0) -> datetime | None:
    """Return a cell's aware instant, read in Vietnam's time; None when empty.

    A date without a time, or at midnight exactly (how spreadsheets and
    exports write a bare date), is taken at ``minute_if_no_time`` past
    midnight: for a due date the unit's due time, else the day's start.
    """
    moment = local_moment(cell)
    if moment is None:
        return None
    if moment.time() == time():
        return local_instant(moment.date(), minute_if_no_time)
    minute = moment.hour * 60 + moment.minute
    return local_instant(moment.date(), minute) + timedelta(seconds=moment.second)


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalised(word): value for value, words in table.items() for word in words}


_STATUSES = _words(
    {
        DossierStatus.RECEIVED: (
            "Đã tiếp nhận", "Mới tiếp nhận", "Tiếp nhận", "Chờ xử lý", "Chờ tiếp nhận",
            "Received",
        ),
        DossierStatus.IN_PROGRESS: (
            "Đang xử lý", "Đang giải quyết", "Đang thụ lý", "Chờ phê duyệt",
            "Chờ ký duyệt", "Chờ trả kết quả", "Đã có kết quả", "In progress",
        ),
        DossierStatus.NEEDS_DOCUMENTS: (
            "Chờ bổ sung", "Yêu cầu bổ sung", "Bổ sung hồ sơ", "Cần bổ sung",
            "Chờ bổ sung hồ sơ", "Tạm dừng", "Needs documents",
        ),
        DossierStatus.RETURNED: (
            "Đã trả kết quả", "Đã trả", "Hoàn thành", "Đã hoàn thành",
            "Đã giải quyết", "Trả kết quả", "Returned",
        ),
        DossierStatus.WITHDRAWN: (
            "Rút hồ sơ", "Đã rút", "Công dân rút hồ sơ", "Hủy", "Đã hủy",
            "Dừng xử lý", "Withdrawn",
        ),
    }
)  # fmt: skip
#: What some systems append to a status: "Đã trả kết quả (trễ hạn)".
_TIMELINESS_SUFFIX = re.compile(r"\s+(dung|tre|truoc|qua)\s+han$")

_CHANNELS = _words(
    {
        DossierChannel.COUNTER: (
            "Trực tiếp", "Nộp trực tiếp", "Tại quầy", "Tại bộ phận một cửa",
            "Counter",
        ),
        DossierChannel.ONLINE: (
            "Trực tuyến", "Nộp trực tuyến", "Dịch vụ công trực tuyến", "Qua mạng",
            "Cổng dịch vụ công", "Online",
        ),
        DossierChannel.POST: (
            "Bưu chính", "Dịch vụ bưu chính công ích", "Bưu chính công ích", "BCCI",
            "Qua bưu điện", "Bưu điện", "Post",
        ),
    }
)  # fmt: skip

_YES_NO = _words(
    {
        "yes": (
            "Có", "x", "1", "Đúng", "Đã", "Rồi", "True", "Yes", "Đã thanh toán",
            "Đã số hóa",
        ),
        "no": (
            "Không", "0", "Chưa", "False", "No", "Chưa thanh toán", "Chưa số hóa",
        ),
    }
)  # fmt: skip


def status(cell: Cell) -> DossierStatus | None:
    """Return the status a cell names; None when empty."""
    words = _TIMELINESS_SUFFIX.sub("", normalised(text(cell)))
    if not words:
        return None
    found = _STATUSES.get(words)
    if found is None:
        raise BadValue(
            Message(
                N_(
                    "“%(value)s” không phải là trạng thái đã biết (Đã tiếp nhận,"
                    " Đang xử lý, Chờ bổ sung, Đã trả kết quả, Rút hồ sơ)."
                ),
                {"value": text(cell)},
            )
        )
    return DossierStatus(found)


def channel(cell: Cell) -> DossierChannel | None:
    """Return the channel a cell names; None when empty."""
    words = normalised(text(cell))
    if not words:
        return None
    found = _CHANNELS.get(words)
    if found is None:
        raise BadValue(
            Message(
                N_(
                    "“%(value)s” không phải là hình thức nộp đã biết (Trực tiếp,"
                    " Trực tuyến, Bưu chính)."
                ),
                {"value": text(cell)},
            )
        )
    return DossierChannel(found)


def yes_no(cell: Cell) -> bool:
    """Return whether a cell says yes; an empty cell says no."""
    if isinstance(cell, bool):
        return cell
    words = normalised(text(cell))
    if not words:
        return False
    found = _YES_NO.get(words)
    if found is None:
        raise BadValue(
            Message(
                N_("“%(value)s” không phải là Có hoặc Không."), {"value": text(cell)}
            )
        )
    return found == "yes"
