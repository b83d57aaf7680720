"""ODK's lexical forms of times, date-times and geopoints: how those answers are stored.

An answer to a ``time``, ``datetime`` or ``geopoint`` question is stored as the
text ODK Collect writes in a submission (ODK XForms specification, "Data Types"),
so an OpenRosa submission's values pass through unchanged (once checked here) and
an export reads as ODK's own:

- time: ``14:30:00.000+07:00``: xs:time with milliseconds and the offset;
- datetime: ``2026-12-06T14:30:00.000+07:00``: the offset kept, not normalised
  to UTC, as the specification's dateTime deviates from XML Schema;
- geopoint: ``21.0285 105.8542 12.5 8``: latitude and longitude in decimal
  degrees, then the altitude and the accuracy in metres, both optional (ODK's
  engine keeps as many numbers as it was given).

A zero offset is written ``Z``, as ODK Collect writes it. A browser's
``<input type=time>`` and ``<input type=datetime-local>`` send a wall-clock time
with no offset (``14:30``, ``2026-12-06T14:30``): it is Vietnam's, UTC+7
(``surveys.local_time``), and gets that offset.

References
----------
ODK XForms specification, "Data Types",
https://getodk.github.io/xforms-spec/#data-types ; XML Schema Part 2, 3.2.8 time
and 3.2.7.3 timezones (offsets from -14:00 to +14:00).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from surveys.local_time import LOCAL_OFFSET

#: Vietnam's offset, given to a wall-clock time a browser sends.
LOCAL_ZONE = timezone(LOCAL_OFFSET)
#: Bounds of a geopoint's altitude and accuracy, in metres. ODK's engine uses
#: 9,999,999 m as the accuracy of a point it never located.
MAX_ALTITUDE = 100_000.0
MAX_ACCURACY = 9_999_999.0

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
_ZONE = r"(Z|[+-]\d{2}(?::?\d{2})?)?"
_TIME = re.compile(_CLOCK + _ZONE)
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ]" + _CLOCK + _ZONE)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class LexicalError(ValueError):
    """A value not in the form its type takes; ``reason`` says what is wrong.

    ``format`` (not the form at all), ``zone`` (an offset outside -14:00 to
    +14:00) or ``range`` (a coordinate, altitude or accuracy out of bounds).
    """

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason


def normalise_time(text: str) -> str:
    """Return a time of day as ODK writes it, or raise LexicalError."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise LexicalError("format", text)
    clock = _clock(match.groups()[:4], text)
    return _write_clock(clock, parse_offset(match.group(5)))


def normalise_datetime(text: str) -> str:
    """Return a date and time as ODK writes it, or raise LexicalError."""
    match = _DATE_TIME.fullmatch(text.strip())
    if match is None:
        raise LexicalError("format", text)
    year, month, day = (int(part) for part in match.groups()[:3])
    try:
        day_of = date(year, month, day)
    except ValueError:
        raise LexicalError("format", text) from None
    clock = _clock(match.groups()[3:7], text)
    zone = parse_offset(match.group(8))
    return f"{day_of.isoformat()}T" + _write_clock(clock, zone)


def parse_time(text: str) -> datetime | None:
    """Read a stored time as an aware moment on 1970-01-01, or None."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    try:
        clock = _clock(match.groups()[:4], text)
        zone = parse_offset(match.group(5))
    except LexicalError:
        return None
    return datetime.combine(date(1970, 1, 1), clock, zone)


def normalise_geopoint(text: str) -> str:
    """Return ``lat lon [alt [accuracy]]`` with each number checked, or raise.

    Numbers are separated by spaces; a comma is read as a separator too when
    the numbers carry decimal points (``21.0285, 105.8542`` as maps copy it),
    never as a decimal comma, which would shift every number along.
    """
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned:
        raise LexicalError("format", text)
    parts = [p for p in re.split(r"[\s,]+", cleaned) if p]
    if not 2 <= len(parts) <= 4 or not all(_DECIMAL.fullmatch(p) for p in parts):
        raise LexicalError("format", text)
    numbers = [float(part) for part in parts]
    bounds = [(-90, 90), (-180, 180), (-MAX_ALTITUDE, MAX_ALTITUDE), (0, MAX_ACCURACY)]
    pairs = zip(numbers, bounds[: len(numbers)], strict=True)
    if not all(low <= n <= high for n, (low, high) in pairs):
        raise LexicalError("range", text)
    return " ".join(part.removeprefix("+") for part in parts)


def _clock(parts: tuple[str | None, ...], text: str) -> time:
    hour, minute, second, fraction = parts
    milliseconds = int((fraction or "0")[:3].ljust(3, "0"))
    try:
        return time(
            int(hour or 0), int(minute or 0), int(second or 0), milliseconds * 1000
        )
    except ValueError:
        raise LexicalError("format", text) from None


def parse_offset(written: str | None) -> timezone:
    """Read ``Z``, ``+07:00``, ``+0700`` or ``+07`` (none: Vietnam's offset).

    Raises LexicalError for an offset no place on Earth has (beyond ±14:00).
    """
    if written is None:
        return LOCAL_ZONE
    if written == "Z":
        return UTC
    digits = written[1:].replace(":", "")
    if not (digits.isdigit() and len(digits) in (2, 4)):
        raise LexicalError("format", written)
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60 or hours * 60 + minutes > 14 * 60:
        raise LexicalError("zone", written)
    sign = -1 if written[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _write_clock(clock: time, zone: timezone) -> str:
    offset = zone.utcoffset(None)
    if offset == timedelta(0):
        suffix = "Z"
    else:
        minutes = int(abs(offset).total_seconds()) // 60
        sign = "-" if offset < timedelta(0) else "+"
        suffix = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return clock.isoformat(timespec="milliseconds") + suffix
