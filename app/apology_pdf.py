"""The apology letter as an A4 PDF, laid out as Vietnamese administrative documents are.

The frame (header, place and date, recipients, signer, page numbers, margins
and face) is ``app.official_document``'s, the same as the reports'. The wording
follows the form of the Phiếu xin lỗi và hẹn lại ngày trả kết quả (*form number
unverified*). A letter is an official document in Vietnamese, whatever the
language of the page that printed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.i18n import _, in_language, translated
from app.official_document import (
    BODY_SIZE,
    LINE,
    TEXT_WIDTH,
    Issuer,
    administrative_date,
    closing,
    document_title,
    national_header,
    number_pages,
    official_document,
)
from app.printing import set_font
from surveys.dossiers.letters import PrintedLetter
from surveys.local_time import local_date
from surveys.translatable import SOURCE_LANGUAGE

if TYPE_CHECKING:
    from fpdf import FPDF


def letters_pdf(letters: Sequence[PrintedLetter]) -> bytes:
    """Lay out letters one after the other, in Vietnamese, for printing and signing."""
    if not letters:
        raise ValueError("a letters document needs at least one letter")
    with in_language(SOURCE_LANGUAGE):
        pdf = official_document(_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"))
        firsts = []
        for letter in letters:
            issuer = _issuer(letter)
            number = _("Số: %(number)s", number=letter.reference)
            national_header(pdf, issuer, number, letter.issued_on)
            firsts.append(pdf.page)
            document_title(pdf, _("Phiếu xin lỗi và hẹn lại ngày trả kết quả"), [])
            _body(pdf, letter)
            closing(
                pdf,
                issuer,
                [_("- Như trên;"), _("- Lưu: hồ sơ, Bộ phận một cửa.")],
                signing_note=_("(Ký, ghi rõ họ tên và đóng dấu)"),
            )
        number_pages(pdf, firsts)
        return bytes(pdf.output())


def _issuer(letter: PrintedLetter) -> Issuer:
    """The letter's issuing body, signed by whom the official named on its form."""
    return Issuer(
        name=letter.issuer,
        kind=letter.issuer_kind,
        place=letter.place,
        parent_name=letter.issuer_parent,
        parent_kind=letter.issuer_parent_kind,
        signer_title=letter.signer_title,
        signer_name=letter.signer_name,
    )


def _body(pdf: FPDF, letter: PrintedLetter) -> None:
    """Set the addressee and the text of the apology."""
    # A purged applicant leaves a line to write the name on by hand.
    name = letter.applicant_name or "…" * 30
    set_font(pdf, BODY_SIZE)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(TEXT_WIDTH, LINE, _("Kính gửi: %(name)s", name=name), align="C")
    if letter.applicant_address:
        pdf.set_x(pdf.l_margin)
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
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(TEXT_WIDTH, LINE, paragraph, align="J")
        pdf.ln(1)
