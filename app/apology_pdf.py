"""The apology letter as an A4 PDF, laid out as Vietnamese administrative documents are.

Nghị định 30/2020/NĐ-CP sets the layout: the issuing body top left (its parent,
then itself in bold, a short rule, the number), the national name and motto top
right (the motto ruled as long as itself, the place and date in italics under
it), the title, the text, and the signer's block bottom right beside the list
of recipients. The wording follows the form of the Phiếu xin lỗi và hẹn lại
ngày trả kết quả (*form number unverified*). A letter is an official document
in Vietnamese, whatever the language of the page that printed it. The fonts
are the project's (``app.printing``): DejaVu Sans, not the decree's Times New
Roman, which no machine is sure to have.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, in_language, translated
from app.printing import new_document, set_font
from surveys.dossiers.letters import PrintedLetter
from surveys.local_time import local_date
from surveys.translatable import SOURCE_LANGUAGE

if TYPE_CHECKING:
    from fpdf import FPDF

#: Margins (mm): the decree asks 30–35 left, 15–20 right, 20–25 top.
LEFT, RIGHT, TOP = 30.0, 15.0, 20.0
PAGE_WIDTH = 210.0
#: The header's two blocks: the issuing body, and the national name beside it.
ISSUER_WIDTH = 72.0
NATION_X = LEFT + ISSUER_WIDTH
NATION_WIDTH = PAGE_WIDTH - RIGHT - NATION_X
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
LINE = 6.0
BODY_SIZE = 11.5
HEADER_SIZE = 10.5
#: Blank room for the signature and the seal, between the title and the name.
SIGNATURE_ROOM = 24.0


def administrative_date(day: date) -> str:
    """Write a date as documents do: "ngày 05 tháng 3 năm 2026".

    Nghị định 30/2020: a day below 10, and the months 1 and 2, take a leading 0.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _(
        "ngày %(day)s tháng %(month)s năm %(year)s",
        day=f"{day.day:02d}",
        month=month,
        year=day.year,
    )


def letters_pdf(letters: Sequence[PrintedLetter]) -> bytes:
    """Lay out letters one per page, in Vietnamese, for printing and signing."""
    if not letters:
        raise ValueError("a letters document needs at least one letter")
    with in_language(SOURCE_LANGUAGE):
        pdf = new_document(_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"), italic=True)
        pdf.set_margins(LEFT, TOP, RIGHT)
        for letter in letters:
            pdf.add_page()
            _header(pdf, letter)
            _body(pdf, letter)
            _signature(pdf, letter)
        return bytes(pdf.output())


def _header(pdf: FPDF, letter: PrintedLetter) -> None:
    """Set the issuing body on the left and the national name on the right."""
    pdf.set_xy(LEFT, TOP)
    if letter.issuer_parent:
        _block_line(pdf, LEFT, ISSUER_WIDTH, letter.issuer_parent.upper())
    _block_line(pdf, LEFT, ISSUER_WIDTH, letter.issuer.upper(), bold=True)
    _rule(pdf, LEFT, ISSUER_WIDTH, ISSUER_WIDTH / 3)
    pdf.set_y(pdf.get_y() + 2)
    _block_line(pdf, LEFT, ISSUER_WIDTH, _("Số: %(number)s", number=letter.reference))
    issuer_bottom = pdf.get_y()

    pdf.set_xy(NATION_X, TOP)
    _block_line(
        pdf,
        NATION_X,
        NATION_WIDTH,
        _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        bold=True,
    )
    motto = _("Độc lập - Tự do - Hạnh phúc")
    _block_line(pdf, NATION_X, NATION_WIDTH, motto, bold=True, size=HEADER_SIZE + 1)
    _rule(pdf, NATION_X, NATION_WIDTH, pdf.get_string_width(motto))
    pdf.set_y(pdf.get_y() + 2)
    dated = _(
        "%(place)s, %(date)s",
        place=letter.place,
        date=administrative_date(letter.issued_on),
    )
    _block_line(pdf, NATION_X, NATION_WIDTH, dated, italic=True)
    pdf.set_y(max(issuer_bottom, pdf.get_y()) + 10)


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
    """Centre ``text`` in a header block, wrapping it when it is long."""
    set_font(pdf, size, bold=bold, italic=italic)
    pdf.set_x(x)
    pdf.multi_cell(width, size * 0.5, text, align="C")


def _rule(pdf: FPDF, x: float, width: float, length: float) -> None:
    """Draw the short solid rule centred under a header line."""
    y = pdf.get_y() + 0.8
    start = x + (width - length) / 2
    with pdf.local_context(line_width=0.3):
        pdf.line(start, y, start + length, y)
    pdf.set_y(y)


def _body(pdf: FPDF, letter: PrintedLetter) -> None:
    """Set the title, the addressee and the text of the apology."""
    set_font(pdf, BODY_SIZE + 1.5, bold=True)
    pdf.set_x(LEFT)
    pdf.multi_cell(
        TEXT_WIDTH, LINE + 1, _("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"), align="C"
    )
    pdf.ln(3)
    # A purged applicant leaves a line to write the name on by hand.
    name = letter.applicant_name or "…" * 30
    set_font(pdf, BODY_SIZE)
    pdf.set_x(LEFT)
    pdf.multi_cell(TEXT_WIDTH, LINE, _("Kính gửi: %(name)s", name=name), align="C")
    if letter.applicant_address:
        pdf.set_x(LEFT)
        address = _("Địa chỉ: %(address)s", address=letter.applicant_address)
        pdf.multi_cell(TEXT_WIDTH, LINE, address, align="C")
    pdf.ln(4)
    issuer = letter.issuer
    reason = translated(letter.reason) if letter.reason is not None else ""
    if letter.reason_text:
        reason = f"{reason} ({letter.reason_text})" if reason else letter.reason_text
    paragraphs = [
        _(
            "%(issuer)s đã tiếp nhận hồ sơ của Ông/Bà vào %(date)s.",
            issuer=issuer,
            date=administrative_date(local_date(letter.received_at)),
        ),
        _("Mã hồ sơ: %(code)s", code=letter.dossier_code),
        _("Thủ tục hành chính: %(procedure)s.", procedure=letter.procedure),
        _(
            "Theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ngày hẹn trả kết quả "
            "giải quyết hồ sơ là %(date)s. Tuy nhiên, %(issuer)s đã không trả kết "
            "quả giải quyết hồ sơ của Ông/Bà đúng hẹn.",
            date=administrative_date(local_date(letter.due_at)),
            issuer=issuer,
        ),
        _("Lý do: %(reason)s.", reason=reason.rstrip(".")),
        _(
            "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. %(issuer)s trân trọng xin "
            "lỗi Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào %(date)s.",
            issuer=issuer,
            date=administrative_date(letter.new_return_on),
        ),
        _("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./."),
    ]
    for paragraph in paragraphs:
        pdf.set_x(LEFT)
        pdf.multi_cell(TEXT_WIDTH, LINE, paragraph, align="J")
        pdf.ln(1)


def _signature(pdf: FPDF, letter: PrintedLetter) -> None:
    """Set the recipients on the left and the signer's block on the right."""
    top = pdf.get_y() + 6
    half = TEXT_WIDTH / 2
    pdf.set_xy(LEFT, top)
    set_font(pdf, HEADER_SIZE, bold=True)
    pdf.cell(half, LINE, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
    set_font(pdf, HEADER_SIZE - 1)
    for line in (_("- Như trên;"), _("- Lưu: hồ sơ, Bộ phận một cửa.")):
        pdf.set_x(LEFT)
        pdf.cell(half, LINE - 1, line, new_x="LMARGIN", new_y="NEXT")
    right = LEFT + half
    pdf.set_xy(right, top)
    set_font(pdf, HEADER_SIZE + 0.5, bold=True)
    pdf.multi_cell(half, LINE, letter.signer_title.upper(), align="C")
    pdf.set_x(right)
    set_font(pdf, HEADER_SIZE - 1, italic=True)
    pdf.multi_cell(half, LINE, _("(Ký, ghi rõ họ tên và đóng dấu)"), align="C")
    if letter.signer_name:
        pdf.set_xy(right, pdf.get_y() + SIGNATURE_ROOM)
        set_font(pdf, HEADER_SIZE + 0.5, bold=True)
        pdf.multi_cell(half, LINE, letter.signer_name, align="C")
