"""QR images, the counter poster and receipt sheets, read back from their bytes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from app.printing import (
    PNG_BOX_SIZE,
    ReceiptEntry,
    counter_poster_pdf,
    qr_png,
    qr_svg,
    receipt_sheet_pdf,
    survey_url,
)
from surveys.access.codes import new_token
from tests.app.pdf_reading import read_pages

URL = "http://127.0.0.1:5000/s/ABCDE23456"
SVG_NS = "{http://www.w3.org/2000/svg}"

Cells = set[tuple[int, int]]


def normalised(cells: Cells) -> Cells:
    """Shift dark modules so the top-left finder pattern starts at (0, 0)."""
    top = min(row for row, _ in cells)
    left = min(column for _, column in cells)
    return {(row - top, column - left) for row, column in cells}


def png_modules(png: bytes) -> Cells:
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // PNG_BOX_SIZE
    middle = PNG_BOX_SIZE // 2
    return normalised(
        {
            (row, column)
            for row in range(size)
            for column in range(size)
            if image.getpixel(
                (column * PNG_BOX_SIZE + middle, row * PNG_BOX_SIZE + middle)
            )
            < 128
        }
    )


def pdf_modules(rects: list[tuple[float, float, float, float]]) -> Cells:
    """Rebuild the module grid from the filled runs a PDF page draws."""
    module = min(abs(height) for *_, height in rects)
    left = min(x for x, *_ in rects)
    top = max(y for _, y, *_ in rects)
    return normalised(
        {
            (round((top - y) / module), round((x - left) / module) + offset)
            for x, y, width, _ in rects
            for offset in range(round(width / module))
        }
    )


def entries(count: int) -> list[ReceiptEntry]:
    tokens = [new_token() for _ in range(count)]
    return [
        ReceiptEntry(survey_url("http://127.0.0.1:5000", token), token, "Phường Đa Kao")
        for token in tokens
    ]


def test_survey_url_joins_base_and_token() -> None:
    assert survey_url("https://hailong.example/", "ABCDE23456") == (
        "https://hailong.example/s/ABCDE23456"
    )


def test_qr_png_is_a_square_png_with_a_quiet_zone() -> None:
    png = qr_png(URL)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.width == image.height
    assert image.width % PNG_BOX_SIZE == 0
    modules = image.width // PNG_BOX_SIZE
    assert modules >= 21 + 8  # version 1 at least, and 4 modules of margin each side
    assert max(max(cell) for cell in png_modules(png)) == modules - 8 - 1


def test_qr_svg_is_well_formed_and_self_contained() -> None:
    svg = qr_svg(URL)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}path") is not None
    for element in root.iter():
        assert element.tag not in {f"{SVG_NS}image", f"{SVG_NS}use"}
        assert not any("href" in name for name in element.attrib)
    assert b"url(" not in svg


def test_the_poster_shows_the_counter_and_a_qr_equal_to_the_png() -> None:
    pdf = counter_poster_pdf(
        "Phường Bến Nghé", "Quầy Tư pháp – Hộ tịch (quầy 1)", URL, "ABCDE23456"
    )
    assert pdf.startswith(b"%PDF-")
    (page,) = read_pages(pdf)
    for text in (
        "Phường Bến Nghé",
        "Quầy Tư pháp – Hộ tịch (quầy 1)",
        "Quét mã để đánh giá",
        "ABCDE-23456",
        URL,
    ):
        assert text in page.strings
    assert pdf_modules(page.rects) == png_modules(qr_png(URL))


def test_a_long_unit_name_wraps_on_the_poster() -> None:
    name = "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân Quận 1 " * 2
    pdf = counter_poster_pdf(name, "Quầy Đất đai (quầy 3)", URL, "ABCDE23456")
    (page,) = read_pages(pdf)
    assert page.strings.index("Quét mã để đánh giá") > 2
    assert " ".join(name.split()) in " ".join(page.text.split())


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (24, 1), (25, 2)])
def test_a_receipt_sheet_holds_24_codes_a_page(count: int, pages: int) -> None:
    sheet = entries(count)
    pdf = receipt_sheet_pdf(sheet)
    assert pdf.startswith(b"%PDF-")
    read = read_pages(pdf)
    assert len(read) == pages
    text = " ".join(page.text for page in read)
    assert text.count("Đánh giá sự hài lòng của Ông/Bà") == count
    assert text.count("Phường Đa Kao") == count
    for entry in sheet:
        formatted = f"{entry.token[:5]}-{entry.token[5:]}"
        assert formatted in text and entry.url in text


def test_a_sheet_of_240_codes_is_ten_pages() -> None:
    # How fast it prints belongs in bench/; a wall-clock bound fails on a busy machine.
    assert len(read_pages(receipt_sheet_pdf(entries(240)))) == 10


def test_an_empty_receipt_sheet_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one code"):
        receipt_sheet_pdf([])
