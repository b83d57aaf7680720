"""Numbers, percentages and dates written the reader's way, by Babel's locale data.

One place for every number a person reads, in pages, charts, PDFs and the text
cells of workbooks: ``3,97`` and ``74,2%`` in Vietnamese, ``3.97`` and ``74.2%``
in English. The locale is the page's (``app.i18n.current_language``), or the
report's inside ``app.i18n.in_language``; Vietnamese outside the app. Workbooks
keep numbers and moments as numbers: there a number format does the job (Excel
shows decimals with the reader's own separators; ``excel_datetime_format`` lays
out a moment in the locale's order).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from babel import Locale, dates, numbers
from flask import Flask, has_app_context
from flask_babel import get_locale

from app.i18n import TIMEZONE
from surveys.translatable import SOURCE_LANGUAGE

#: The integer digit of a number pattern and its decimals (``0.###``, ``0``).
_DECIMALS = re.compile(r"0(?:\.[0#]*)?")
#: A field of a CLDR date pattern, and what Excel calls it (months are ``m``
#: beside a day or year, minutes ``mm`` beside an hour: Excel tells them apart).
_FIELD = re.compile(r"([dMyHhma])\1*")
_EXCEL = {
    "d": "d", "dd": "dd", "M": "m", "MM": "mm", "y": "yyyy", "yy": "yyyy",
    "yyyy": "yyyy", "H": "h", "HH": "hh", "h": "h", "hh": "hh", "m": "mm",
    "mm": "mm", "a": "AM/PM",
}  # fmt: skip


def format_number(value: float, digits: int | None = None) -> str:
    """Write a number with ``digits`` decimals (None: up to three, as needed)."""
    locale = _locale()
    if digits is None:
        return numbers.format_decimal(value, locale=locale)
    pattern = _with_decimals(locale.decimal_formats[None].pattern, digits)
    return numbers.format_decimal(value, format=pattern, locale=locale)


def format_signed(value: float, digits: int) -> str:
    """Write a difference with its sign, ``+0,25`` or ``-0,25``."""
    text = format_number(value, digits)
    return text if value < 0 else numbers.get_plus_sign_symbol(_locale()) + text


def format_percent(fraction: float, digits: int = 1) -> str:
    """Write a share (0.742) as a percentage with ``digits`` decimals (``74,2%``)."""
    locale = _locale()
    pattern = _with_decimals(locale.percent_formats[None].pattern, digits)
    return numbers.format_percent(fraction, format=pattern, locale=locale)


def format_date(value: date | datetime, format: str = "medium") -> str:
    """Write a date (``6 thg 4, 2026``, ``Apr 6, 2026``); a datetime's own date."""
    if isinstance(value, datetime):
        value = _local(value).date()
    return dates.format_date(value, format=format, locale=_locale())


def format_datetime(value: datetime, format: str = "short") -> str:
    """Write a moment in Vietnam time; a naive datetime is taken as Vietnam time."""
    return dates.format_datetime(_local(value), format=format, locale=_locale())


def format_duration(value: timedelta) -> str:
    """Write a wait (``64 giây``, ``15 phút``) in seconds up to two minutes.

    Babel rounds to the nearest unit; a higher threshold than its default keeps
    a wait of 64 seconds from being announced as one minute.
    """
    return dates.format_timedelta(value, threshold=2, locale=_locale())


def excel_datetime_format() -> str:
    """Return an Excel number format for a moment, in the locale's order.

    From Babel's short date and time patterns, the year written in full:
    ``d/m/yyyy hh:mm`` in Vietnamese, ``m/d/yyyy h:mm AM/PM`` in English.
    """
    locale = _locale()
    day = locale.date_formats["short"].pattern
    time = locale.time_formats["short"].pattern
    return f"{_excel(day)} {_excel(time)}"


def init_app(app: Flask) -> None:
    """Offer the formats to templates as filters: ``{{ x|number(2) }}``."""
    app.jinja_env.filters.update(
        number=format_number,
        percent=format_percent,
        date=format_date,
        datetime=format_datetime,
    )


def _locale() -> Locale:
    locale = get_locale() if has_app_context() else None
    return locale if locale is not None else Locale.parse(SOURCE_LANGUAGE)


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dates.get_timezone(TIMEZONE)).replace(tzinfo=None)


def _excel(pattern: str) -> str:
    """Turn a CLDR date or time pattern into Excel's letters (plain spaces)."""
    fields = _FIELD.sub(lambda field: _EXCEL.get(field.group(), field.group()), pattern)
    return re.sub(r"\s", " ", fields)


def _with_decimals(pattern: str, digits: int) -> str:
    """Return a locale's number pattern with exactly ``digits`` decimals."""
    decimals = "0" + ("." + "0" * digits if digits > 0 else "")
    return ";".join(
        _DECIMALS.sub(decimals, part, count=1) for part in pattern.split(";")
    )
