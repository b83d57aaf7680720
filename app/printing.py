"""Printed material: QR images, the counter poster and sheets of receipt codes.

Everything here is a pure function returning bytes, so a view can send it and a
CLI command can write it. QR codes are drawn in the PDFs as vector squares, crisp
at any printer resolution and quick to draw by the hundred. Text is set in DejaVu
Sans, embedded from matplotlib's data folder, so Vietnamese diacritics print right
on a machine without any system font.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

from app.i18n import in_language, lazy_gettext, lazy_pgettext
from surveys.access.codes import format_token

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "DejaVu"
#: The quiet zone the QR specification asks for around the symbol, in modules.
QUIET_ZONE = 4
#: Pixels per module in PNG images.
PNG_BOX_SIZE = 10

#: What posters and receipts say, in the language of the page that prints them
#: (Vietnamese for the ``codes`` commands).
POSTER_HEADING = lazy_gettext("Quét mã để đánh giá")
POSTER_FOOTER = lazy_gettext("Đánh giá ẩn danh, chỉ mất khoảng 30 giây.")
POSTER_CODE_LABEL = lazy_pgettext("poster", "Mã đánh giá")
RECEIPT_HEADING = lazy_gettext("Đánh giá sự hài lòng của Ông/Bà")
#: What a dossier's result slip says, printed in Vietnamese and in English.
SLIP_INVITATION = lazy_gettext(
    "Mời Ông/Bà quét mã để đánh giá việc giải quyết hồ sơ này (ẩn danh)."
)
SLIP_DOSSIER = lazy_gettext("Mã hồ sơ")

#: The receipt sheet's grid on A4 portrait, in millimetres.
COLUMNS, ROWS = 3, 8
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
SHEET_MARGIN = 10.0
CELL_PADDING = 2.0
#: Result slips per A4 page: columns and rows.
SLIP_GRID = (2, 4)


@dataclass(frozen=True)
class ReceiptEntry:
    """One single-use code to cut out and staple to a dossier receipt."""

    url: str
    token: str
    unit_name: str = ""


@dataclass(frozen=True)
class ResultSlip:
    """One dossier's rating code, to staple to the dossier's result."""

    url: str
    token: str
    unit_name: str
    dossier_code: str
    procedure: str = ""


def survey_url(base_url: str, token: str) -> str:
    """Return the public address a code's QR leads to."""
    return f"{base_url.rstrip('/')}/s/{token}"


def qr_png(url: str) -> bytes:
    """Render a QR code of ``url`` as a PNG, for screens and word processors."""
    buffer = io.BytesIO()
    _qr(url).make_image().save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """Render a QR code of ``url`` as a self-contained SVG, for print shops."""
    buffer = io.BytesIO()
    _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def counter_poster_pdf(
    unit_name: str, counter_name: str, url: str, short_code: str
) -> bytes:
    """Lay out the A4 poster that invites citizens at a counter to rate it."""
    pdf = new_document(f"{POSTER_HEADING} – {counter_name}")
    pdf.add_page()
    width = PAGE_WIDTH - 2 * pdf.l_margin
    pdf.set_y(20)
    _centred(pdf, unit_name, 22, bold=True)
    _centred(pdf, counter_name, 18)
    pdf.ln(8)
    _centred(pdf, str(POSTER_HEADING), 40, bold=True)
    pdf.ln(6)
    size = 140.0
    draw_qr(pdf, url, (PAGE_WIDTH - size) / 2, pdf.get_y(), size)
    pdf.set_y(pdf.get_y() + size + 6)
    _centred(pdf, str(POSTER_CODE_LABEL), 14)
    _centred(pdf, format_token(short_code), 32, bold=True)
    pdf.ln(4)
    _centred(pdf, url, fitting_size(pdf, url, width, 14))
    pdf.ln(6)
    _centred(pdf, str(POSTER_FOOTER), 12)
    return bytes(pdf.output())


def receipt_sheet_pdf(entries: Sequence[ReceiptEntry]) -> bytes:
    """Lay out single-use codes 3 × 8 to an A4 page, with lines to cut along."""
    if not entries:
        raise ValueError("a receipt sheet needs at least one code")
    pdf = new_document(str(RECEIPT_HEADING))
    for entry, cell in zip(entries, _cut_cells(pdf, COLUMNS, ROWS), strict=False):
        _receipt_cell(pdf, entry, *cell)
    return bytes(pdf.output())


def result_slips_pdf(slips: Sequence[ResultSlip]) -> bytes:
    """Lay out dossiers' rating codes 2 × 4 to an A4 page, to staple to results.

    The invitation is printed in Vietnamese and in English, whatever the
    language of the page that prints it: it is the citizen's to read.
    """
    if not slips:
        raise ValueError("result slips need at least one dossier")
    with in_language("vi"):
        invitation = [str(SLIP_INVITATION)]
        label = [str(SLIP_DOSSIER)]
    with in_language("en"):
        invitation.append(str(SLIP_INVITATION))
        label.append(str(SLIP_DOSSIER))
    pdf = new_document(invitation[0])
    words = (invitation, " / ".join(label))
    for slip, cell in zip(slips, _cut_cells(pdf, *SLIP_GRID), strict=False):
        _slip_cell(pdf, slip, words, *cell)
    return bytes(pdf.output())


def _cut_cells(
    pdf: FPDF, columns: int, rows: int
) -> Iterator[tuple[float, float, float, float]]:
    """Yield cells (x, y, width, height) of an A4 grid, page after page, outlined.

    The dashed outline is what the sheet is cut along.
    """
    width = (PAGE_WIDTH - 2 * SHEET_MARGIN) / columns
    height = (PAGE_HEIGHT - 2 * SHEET_MARGIN) / rows
    while True:
        pdf.add_page()
        for slot in range(columns * rows):
            x = SHEET_MARGIN + (slot % columns) * width
            y = SHEET_MARGIN + (slot // columns) * height
            with pdf.local_context(draw_color=(160, 160, 160), line_width=0.2):
                pdf.set_dash_pattern(dash=1.5, gap=1.5)
                pdf.rect(x, y, width, height)
                pdf.set_dash_pattern()
            yield x, y, width, height


def _receipt_cell(
    pdf: FPDF, entry: ReceiptEntry, x: float, y: float, width: float, height: float
) -> None:
    url_height = 4.0
    qr_size = height - 2 * CELL_PADDING - url_height
    draw_qr(pdf, entry.url, x + CELL_PADDING, y + CELL_PADDING, qr_size)
    text_x = x + CELL_PADDING + qr_size + 1
    text_width = x + width - CELL_PADDING - text_x
    pdf.set_xy(text_x, y + CELL_PADDING + 2)
    set_font(pdf, 8, bold=True)
    pdf.multi_cell(text_width, 3.6, str(RECEIPT_HEADING), align="L")
    if entry.unit_name:
        pdf.set_x(text_x)
        set_font(pdf, 6.5)
        pdf.multi_cell(text_width, 3, entry.unit_name, align="L", max_line_height=3)
    pdf.set_xy(text_x, y + CELL_PADDING + qr_size - 6)
    code = format_token(entry.token)
    set_font(pdf, fitting_size(pdf, code, text_width, 12, bold=True), bold=True)
    pdf.cell(text_width, 6, code, align="L")
    pdf.set_xy(x + CELL_PADDING, y + height - CELL_PADDING - url_height)
    usable = width - 2 * CELL_PADDING
    set_font(pdf, fitting_size(pdf, entry.url, usable, 7))
    pdf.cell(usable, url_height, entry.url, align="C")


def _slip_cell(
    pdf: FPDF,
    slip: ResultSlip,
    words: tuple[list[str], str],
    x: float,
    y: float,
    width: float,
    height: float,
) -> None:
    """Fill one slip: the invitation across, then the QR beside its dossier and code."""
    invitation, label = words
    usable = width - 2 * CELL_PADDING
    left = x + CELL_PADDING
    pdf.set_xy(left, y + CELL_PADDING + 1)
    set_font(pdf, 9, bold=True)
    pdf.multi_cell(usable, 4, invitation[0], align="L")
    pdf.set_x(left)
    set_font(pdf, 8)
    pdf.multi_cell(usable, 3.6, invitation[1], align="L")
    top = pdf.get_y() + 1
    url_height = 5.0
    qr_size = y + height - CELL_PADDING - url_height - top
    draw_qr(pdf, slip.url, left, top, qr_size)
    text_x = left + qr_size + 2
    text_width = x + width - CELL_PADDING - text_x
    pdf.set_xy(text_x, top + 2)
    for line, size, bold in (
        (slip.unit_name, 7, False),
        (f"{label}:", 7, False),
        # On one line, however long the code: it matches the slip to its result.
        (
            slip.dossier_code,
            fitting_size(pdf, slip.dossier_code, text_width, 8, bold=True),
            True,
        ),
        (slip.procedure, 7, False),
    ):
        if line:
            set_font(pdf, size, bold=bold)
            pdf.set_x(text_x)
            pdf.multi_cell(text_width, 3.4, line, align="L")
    code = format_token(slip.token)
    pdf.set_xy(text_x, top + qr_size - 9)
    set_font(pdf, fitting_size(pdf, code, text_width, 18, bold=True), bold=True)
    pdf.cell(text_width, 8, code, align="L")
    pdf.set_xy(left, y + height - CELL_PADDING - url_height)
    set_font(pdf, fitting_size(pdf, slip.url, usable, 8))
    pdf.cell(usable, url_height, slip.url, align="C")


def new_document(title: str, *, italic: bool = False, serif: bool = False) -> FPDF:
    """Start an A4 portrait document in DejaVu, so Vietnamese prints right.

    Posters and sheets are set in DejaVu Sans; ``serif`` sets a document in
    DejaVu Serif with all four faces (``app.official_document``). ``italic``
    adds the sans oblique face (a document embeds every face it adds).
    """
    # fpdf (which loads numpy) is imported with the first document, not when a
    # web process starts: the survey pages use this module's QR images only.
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("hailong")
    pdf.set_lang("vi")
    faces = _font_files(serif)
    for style, path in faces.items():
        if italic or serif or "I" not in style:
            pdf.add_font(FONT, style, path)
    return pdf


@functools.cache
def _font_files(serif: bool = False) -> dict[str, Path]:
    """Find DejaVu in matplotlib's data folder, imported only when printing."""
    import matplotlib  # here: a fifth of a second to import, for one path

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if serif:
        return {
            "": folder / "DejaVuSerif.ttf",
            "B": folder / "DejaVuSerif-Bold.ttf",
            "I": folder / "DejaVuSerif-Italic.ttf",
            "BI": folder / "DejaVuSerif-BoldItalic.ttf",
        }
    return {
        "": folder / "DejaVuSans.ttf",
        "B": folder / "DejaVuSans-Bold.ttf",
        "I": folder / "DejaVuSans-Oblique.ttf",
    }


def set_font(
    pdf: FPDF, size: float, *, bold: bool = False, italic: bool = False
) -> None:
    """Set the document's DejaVu face (bold, italic, both or regular) at ``size``."""
    pdf.set_font(FONT, ("B" if bold else "") + ("I" if italic else ""), size)


def fitting_size(
    pdf: FPDF, text: str, width: float, size: float, *, bold: bool = False
) -> float:
    """Return ``size``, or the smaller font size at which ``text`` fits a cell."""
    set_font(pdf, size, bold=bold)
    needed = pdf.get_string_width(text)
    room = width - 2 * pdf.c_margin
    return size if needed <= room else size * room / needed


def _centred(pdf: FPDF, text: str, size: float, *, bold: bool = False) -> None:
    set_font(pdf, size, bold=bold)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(0, size * 0.5, text, align="C")


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=PNG_BOX_SIZE, border=QUIET_ZONE
    )
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``url``, quiet zone included, in a ``size`` square."""
    modules, runs = _dark_runs_of(url)
    module = size / modules
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row, (start, length) in runs:
            pdf.rect(x + start * module, y + row * module, length * module, module, "F")


@functools.lru_cache(maxsize=16)
def _dark_runs_of(url: str) -> tuple[int, tuple[tuple[int, tuple[int, int]], ...]]:
    """Return the modules across a QR code of ``url`` and its dark runs.

    Kept for the last few addresses: a paper form draws its code on every page.
    """
    matrix = _qr(url).get_matrix()
    return len(matrix), tuple(_dark_runs(matrix))


def _dark_runs(matrix: list[list[bool]]) -> Iterator[tuple[int, tuple[int, int]]]:
    """Yield each row's horizontal runs of dark modules as (row, (start, length))."""
    for row, cells in enumerate(matrix):
        start = None
        for column, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row, (start, column - start)
                start = None
