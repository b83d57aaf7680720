"""The number printed on a paper form, with a check digit that catches mistyping.

A number is the form's place in one sequence for the whole installation
(``000123``), followed by a Damm check digit (``000123-7``). Digits only, so a
clerk keys it on the numeric keypad; the check digit refuses every single
mistyped digit and every swap of two neighbouring digits, so a slip opens no
other form. Leading zeros change no Damm digit: ``123-7`` is the same form.

References: H. M. Damm, "Total anti-symmetrische Quasigruppen", 2004.
"""

from __future__ import annotations

import re

#: The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
#: Digits of the sequence number as printed (more when the sequence outgrows them).
WIDTH = 6
_SEPARATORS = re.compile(r"[\s\-.]+")


def check_digit(digits: str) -> int:
    """Return the Damm check digit of a string of decimal digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def format_number(number: int) -> str:
    """Print a form's sequence number with its check digit: ``000123-7``."""
    body = f"{number:0{WIDTH}d}"
    return f"{body}-{check_digit(body)}"


def parse_number(text: str) -> int | None:
    """Return the sequence number a clerk typed, or None if it is no form number.

    Spaces, dashes and dots are ignored; the last digit must be the check digit.
    """
    digits = _SEPARATORS.sub("", text)
    if not 2 <= len(digits) <= 16 or not digits.isascii() or not digits.isdigit():
        return None
    if check_digit(digits) != 0:
        return None
    return int(digits[:-1])
