"""Personal data a citizen typed into a comment, masked wherever the comment is shown.

The comment form asks for no phone number, yet people write one ("gọi lại cho
tôi 0912 345 678"), an ID card number or an email. Officials need the opinion,
not the person: every page and file that shows a comment shows it masked. The
stored answer is left as typed: masking is a reading of it, so a better rule
later masks old comments too, and nothing is lost that a court or the
respondent's own request might need.

What counts as personal here is what has the shape of a Vietnamese phone number
(mobile ``0[35789]x`` with ten digits, landline ``02x`` with eleven, either
after ``+84`` / ``84`` instead of the ``0``; digits grouped by spaces, dots,
dashes or brackets), of an ID number (a 12-digit citizen identity card number,
which starts with the province's ``0``, or a 9-digit identity card number,
written in one piece or in groups of three) or of an email address. Amounts
("500.000 đồng", "1.200.000"), dates ("12/03/2026"), times and counts ("3 ngày")
keep their digits.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping


class Personal(enum.StrEnum):
    """What kind of personal data a mask stands for."""

    PHONE = "phone"
    ID_NUMBER = "id_number"
    EMAIL = "email"


#: The masks in Vietnamese, the language of comments; callers may pass their own.
MASKS: Mapping[Personal, str] = {
    Personal.PHONE: "[đã ẩn số điện thoại]",
    Personal.ID_NUMBER: "[đã ẩn số giấy tờ]",
    Personal.EMAIL: "[đã ẩn email]",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits, possibly grouped by one separator (or a bracket and a space)
# at a time, possibly after a "+": every candidate is then judged by its digits.
# A currency after it makes it an amount; a lone "đ" only when the word ends
# there ("500.000đ", "500.000đ." ending a sentence), not "đ/c" or "đ.c" (đồng chí).
_NUMBER = re.compile(
    r"(?<![\d+])(?:\(?\+)?\(?\d(?:(?:[ .\-]|\)\s?|\s?\()?\d)+(?!\d)"
    r"(?!\s*(?:đồng|đ(?:[^\w/.]|\.(?!\w)|$)|vnđ|vnd|₫))",
    re.IGNORECASE,
)
# Thousands grouped by dots or commas: an amount, never a phone or an ID.
_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*")
_GROUPS_OF_THREE = re.compile(r"\d{3}(?: \d{3}){2,3}")
_MOBILE = "35789"
#: What every mask needs: a digit (numbers) or an "@" (emails). Most comments
#: have neither, and a million of them are masked for one export.
_MAYBE_PERSONAL = re.compile(r"[\d@]")


def mask_personal_data(text: str, masks: Mapping[Personal, str] = MASKS) -> str:
    """Return ``text`` with phone numbers, ID numbers and emails replaced by masks."""
    if not _MAYBE_PERSONAL.search(text):
        return text
    text = _EMAIL.sub(masks[Personal.EMAIL], text)
    return _NUMBER.sub(lambda found: _masked(found.group(), masks), text)


def personal_data_in(text: str) -> set[Personal]:
    """Return the kinds of personal data ``text`` holds: exactly what masking hides.

    For warnings (an answer about to be published): the same detector as the
    masks, so a text is flagged if and only if masking would change it.
    """
    found = {Personal.EMAIL} if _EMAIL.search(text) else set()
    for number in _NUMBER.finditer(_EMAIL.sub(MASKS[Personal.EMAIL], text)):
        found.update(p for p in _pieces(number.group()) if isinstance(p, Personal))
    return found


def _masked(candidate: str, masks: Mapping[Personal, str]) -> str:
    """Return a candidate with its personal runs masked."""
    return " ".join(
        masks[piece] if isinstance(piece, Personal) else piece
        for piece in _pieces(candidate)
    )


def _pieces(candidate: str) -> list[str | Personal]:
    """Split a candidate into its longest personal runs (from the left) and the rest.

    Two numbers in a row ("0912 345 678 0987 654 321") make one candidate,
    which as a whole is nothing: its pieces between spaces are tried instead.
    """
    pieces = candidate.split(" ")
    found: list[str | Personal] = []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            kind = _kind(" ".join(pieces[start:end]))
            if kind is not None:
                found.append(kind)
                start = end
                break
        else:
            found.append(pieces[start])
            start += 1
    return found


def _kind(candidate: str) -> Personal | None:
    """Tell what a run of digits is, or None when it is no personal data."""
    digits = re.sub(r"\D", "", candidate)
    international = candidate.startswith(("+", "(+"))
    if _is_phone(digits, international=international):
        return Personal.PHONE
    if international or _AMOUNT.fullmatch(candidate):
        return None
    whole = candidate.isdigit() or _GROUPS_OF_THREE.fullmatch(candidate)
    if whole and (len(digits) == 9 or (len(digits) == 12 and digits[0] == "0")):
        return Personal.ID_NUMBER
    return None


def _is_phone(digits: str, *, international: bool) -> bool:
    """Tell whether digits are a Vietnamese number, written at home or from abroad."""
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        national = "0" + digits[2:]
    elif international:
        return False
    else:
        national = digits
    if len(national) == 10:
        return national[0] == "0" and national[1] in _MOBILE
    return len(national) == 11 and national.startswith("02")
