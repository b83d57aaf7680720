"""The frame of an administrative document, shared by every report and letter.

Nghị định 30/2020/NĐ-CP, Phụ lục I (thể thức văn bản hành chính) sets it: A4
portrait, margins top and bottom 20 mm, left 30 mm, right 15 mm (the low end of
20–25, 30–35 and 15–20: the most room for tables); the issuing body at top
left (its parent in capitals, itself in bold capitals, a short rule under it,
then the number and symbol), the national name and motto at top right (the
motto ruled as long as itself, the place and date in italics under it), the
kind of document and its subject centred in bold, the text, the recipients at
bottom left ("Nơi nhận:" bold italic 12 pt, the list 11 pt) beside the signer's
title at bottom right, and page numbers centred in the top margin from page 2.

The decree asks for Times New Roman; the text is set in DejaVu Serif, embedded
from matplotlib's data folder (``app.printing``): a serif with every Vietnamese
letter that needs no new dependency and prints the same on every machine. No
well-kept PyPI package ships a metric-compatible Times (Liberation Serif,
Tinos), and a system font may be missing on the server.

Sizes are the decree's, in points: national name 12 bold capitals (DejaVu
Serif is wider than Times: 12 keeps it on one line), motto 13
bold, issuing body 12, number 13, place and date 13 italic, kind 13.5 bold
capitals, subject and text 13, signer 13 bold capitals, page numbers 13.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, lazy_gettext
from app.printing import fitting_size, new_document, set_font
from surveys.models import Unit, UnitKind
from surveys.units.tree import district_of

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString
    from fpdf import FPDF

#: Margins (mm).
LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 20.0
PAGE_WIDTH = 210.0
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
#: The header's two blocks side by side: the issuing body, the national name.
ISSUER_WIDTH = 58.0
NATION_X = LEFT + ISSUER_WIDTH
NATION_WIDTH = PAGE_WIDTH - RIGHT - NATION_X
#: Font sizes (pt).
HEADER_SIZE = 12.0
MOTTO_SIZE = 13.0
BODY_SIZE = 13.0
TITLE_SIZE = 13.5
RECIPIENTS_HEADING_SIZE = 12.0
RECIPIENTS_SIZE = 11.0
#: Line height (mm) of the text: about 1.2 lines at 13 pt.
LINE = 6.0
#: Blank room for the signature and the seal.
SIGNATURE_ROOM = 26.0
#: A name to write by hand, when the signer is not known when printing.
NAME_LINE = "…" * 14

#: Who signs for each kind of unit (the People's Committee collectively for a
#: ward or a district, the head for the others).
SIGNERS: dict[str, tuple[LazyString, ...]] = {
    UnitKind.DISTRICT: (lazy_gettext("TM. ỦY BAN NHÂN DÂN"), lazy_gettext("CHỦ TỊCH")),
    UnitKind.WARD: (lazy_gettext("TM. ỦY BAN NHÂN DÂN"), lazy_gettext("CHỦ TỊCH")),
    UnitKind.DEPARTMENT: (lazy_gettext("THỦ TRƯỞNG ĐƠN VỊ"),),
    UnitKind.SERVICE_UNIT: (lazy_gettext("THỦ TRƯỞNG ĐƠN VỊ"),),
    UnitKind.SCHOOL: (lazy_gettext("HIỆU TRƯỞNG"),),
}


@dataclass(frozen=True)
class Issuer:
    """Who issues a document and where, as plain facts: the header words them in
    the document's language when it is printed."""

    name: str
    #: ``UnitKind``: a ward's or district's documents are its People's Committee's.
    kind: str
    #: The district's name: where the document is issued ("Quận 1").
    place: str
    #: Ends the symbol of a report's number ("BC-Q1"); "" when not needed.
    code: str = ""
    #: The body above, printed above the issuer; "" for a unit at the top.
    parent_name: str = ""
    parent_kind: str = ""
    #: The signer's title as an official wrote it; "" for the kind's usual one.
    signer_title: str = ""
    signer_name: str = ""


def body_name(name: str, kind: str) -> str:
    """Name the body that issues for a unit: a ward or district's People's
    Committee, else the unit itself."""
    if kind in (UnitKind.DISTRICT, UnitKind.WARD):
        return _("Ủy ban nhân dân %(name)s", name=name)
    return name


def issuer_of(unit: Unit) -> Issuer:
    """Describe ``unit`` as the issuer of its reports."""
    parent = unit.parent
    return Issuer(
        name=unit.name,
        kind=unit.kind,
        place=district_of(unit).name,
        code=unit.code.upper(),
        parent_name="" if parent is None else parent.name,
        parent_kind="" if parent is None else parent.kind,
    )


def signer_lines(issuer: Issuer) -> list[str]:
    """Return the signer's title, one line each, in capitals."""
    if issuer.signer_title:
        return [issuer.signer_title.upper()]
    return [
        str(line) for line in SIGNERS.get(issuer.kind, SIGNERS[UnitKind.DEPARTMENT])
    ]


def administrative_date(day: date) -> str:
    """Write a date as documents do: "ngày 05 tháng 3 năm 2026".

    Nghị định 30/2020, Phụ lục I: a day below 10, and the months 1 and 2, take
    a leading 0 (so that a figure cannot be added in front of it by hand); the
    other months are written as they are.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _(
        "ngày %(day)s tháng %(month)s năm %(year)s",
        day=f"{day.day:02d}",
        month=month,
        year=day.year,
    )


def place_and_date(place: str, day: date) -> str:
    """Write where and when a document is issued ("Quận 1, ngày 05 tháng 11 năm
    2024")."""
    return _("%(place)s, %(date)s", place=place, date=administrative_date(day))


def report_number(issuer: Issuer) -> str:
    """Return a report's number and symbol, the number left blank: "Số:      /BC-Q1".

    The office's registry (văn thư) gives the number when it registers the
    signed report, in its own yearly sequence; a number made up here would
    clash with it, so the blank is filled in by hand.
    """
    blank = "\u00a0" * 8  # never wrapped, room for the number by hand
    return _("Số: %(number)s", number=f"{blank}/BC-{issuer.code}")


def official_document(title: str) -> FPDF:
    """Start an A4 document in the decree's serif face and margins."""
    pdf = new_document(title, serif=True)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    return pdf


def national_header(pdf: FPDF, issuer: Issuer, number: str, issued_on: date) -> None:
    """Set the issuing body and number on the left, the national name, motto,
    place and date on the right, on a new page; the text goes on below both."""
    pdf.add_page()
    pdf.set_xy(LEFT, TOP)
    if issuer.parent_name:
        parent = body_name(issuer.parent_name, issuer.parent_kind)
        _block_line(pdf, LEFT, ISSUER_WIDTH, parent.upper())
    name = body_name(issuer.name, issuer.kind)
    _block_line(pdf, LEFT, ISSUER_WIDTH, name.upper(), bold=True)
    _rule(pdf, LEFT, ISSUER_WIDTH, ISSUER_WIDTH / 3)
    pdf.set_y(pdf.get_y() + 2)
    # On one line, however long the unit's code: smaller when it must be.
    size = fitting_size(pdf, number, ISSUER_WIDTH, BODY_SIZE)
    _block_line(pdf, LEFT, ISSUER_WIDTH, number, size=size)
    issuer_bottom = pdf.get_y()

    pdf.set_xy(NATION_X, TOP)
    nation = _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    _block_line(pdf, NATION_X, NATION_WIDTH, nation, bold=True)
    motto = _("Độc lập - Tự do - Hạnh phúc")
    _block_line(pdf, NATION_X, NATION_WIDTH, motto, bold=True, size=MOTTO_SIZE)
    _rule(pdf, NATION_X, NATION_WIDTH, pdf.get_string_width(motto))
    pdf.set_y(pdf.get_y() + 2)
    dated = place_and_date(issuer.place, issued_on)
    _block_line(pdf, NATION_X, NATION_WIDTH, dated, italic=True, size=BODY_SIZE)
    pdf.set_xy(LEFT, max(issuer_bottom, pdf.get_y()) + 8)


def document_title(pdf: FPDF, kind: str, subject: Sequence[str]) -> None:
    """Centre the kind of document in bold capitals and its subject under it."""
    set_font(pdf, TITLE_SIZE, bold=True)
    pdf.multi_cell(TEXT_WIDTH, LINE + 1, kind.upper(), align="C", new_x="LMARGIN")
    set_font(pdf, BODY_SIZE, bold=True)
    for line in subject:
        pdf.multi_cell(TEXT_WIDTH, LINE, line, align="C", new_x="LMARGIN")
    pdf.ln(4)


def closing(
    pdf: FPDF,
    issuer: Issuer,
    recipients: Sequence[str],
    *,
    signing_note: str = "",
) -> None:
    """Set the recipients at bottom left and the signer's block beside them.

    The block moves to a new page when it does not fit whole under the text.
    """
    signer = signer_lines(issuer)
    needed = 10 + LINE * (len(signer) + 2) + SIGNATURE_ROOM
    if pdf.get_y() + needed > pdf.h - BOTTOM:
        pdf.add_page()
    top = pdf.get_y() + 6
    half = TEXT_WIDTH / 2
    pdf.set_xy(LEFT, top + LINE / 2)
    set_font(pdf, RECIPIENTS_HEADING_SIZE, bold=True, italic=True)
    pdf.cell(half, LINE, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
    set_font(pdf, RECIPIENTS_SIZE)
    for line in recipients:
        pdf.multi_cell(half - 4, LINE - 1.5, line, new_x="LMARGIN", new_y="NEXT")
    recipients_bottom = pdf.get_y()

    right = LEFT + half
    pdf.set_xy(right, top)
    set_font(pdf, BODY_SIZE, bold=True)
    for line in signer:
        pdf.set_x(right)
        pdf.multi_cell(half, LINE, line, align="C", new_x="LEFT")
    if signing_note:
        set_font(pdf, RECIPIENTS_SIZE, italic=True)
        pdf.multi_cell(half, LINE, signing_note, align="C", new_x="LEFT")
    pdf.set_y(pdf.get_y() + SIGNATURE_ROOM)
    set_font(pdf, BODY_SIZE, bold=True)
    pdf.set_x(right)
    name = issuer.signer_name or NAME_LINE
    pdf.multi_cell(half, LINE, name, align="C", new_x="LMARGIN")
    pdf.set_y(max(recipients_bottom, pdf.get_y()))


def number_pages(pdf: FPDF, firsts: Sequence[int] = (1,)) -> None:
    """Number the pages, centred in the top margin, from each document's second.

    The decree prints no number on a document's first page. ``firsts`` are the
    pages where documents start, when one file holds several (letters): each
    is numbered on its own.
    """
    starts = [*firsts, pdf.pages_count + 1]
    breaks = pdf.auto_page_break
    pdf.set_auto_page_break(False)
    for start, end in itertools.pairwise(starts):
        for page in range(start + 1, end):
            pdf.page = page
            # fpdf2 writes a font change only when the font differs from the
            # last one set, on whichever page: set another first, so that
            # this page's stream selects the face its number is drawn in.
            set_font(pdf, BODY_SIZE, bold=True)
            set_font(pdf, BODY_SIZE)
            pdf.set_xy(LEFT, TOP / 2 - LINE / 2)
            pdf.cell(TEXT_WIDTH, LINE, str(page - start + 1), align="C")
    pdf.page = pdf.pages_count
    pdf.set_auto_page_break(breaks, margin=BOTTOM)


def _block_line(
    pdf: FPDF,
    x: float,
    width: float,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = HEADER_SIZE,
) -> None:
    """Centre ``text`` in a header block, wrapping it between words when long."""
    set_font(pdf, size, bold=bold, italic=italic)
    pdf.set_x(x)
    pdf.multi_cell(width, size * 0.45, text, align="C", new_x="LEFT")


def _rule(pdf: FPDF, x: float, width: float, length: float) -> None:
    """Draw a solid rule centred under a header line."""
    y = pdf.get_y() + 0.8
    start = x + (width - length) / 2
    with pdf.local_context(line_width=0.3):
        pdf.line(start, y, start + length, y)
    pdf.set_y(y)
