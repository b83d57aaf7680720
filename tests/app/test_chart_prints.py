"""The PDF's charts are the dashboard's, and look as checked once on paper.

The page holding each chart is rendered with poppler (``pdftoppm``) and the
chart cut out of it where its words stand (``pdftotext -bbox``), so a change
elsewhere on the page does not move the comparison; the cut-out is compared
with its reference image (tests/visual.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape

from PIL import Image
from sqlalchemy.orm import Session

from app.charts import svg_size
from app.reports.data import unit_report
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.report_charts import chart_words, dimensions_chart, league_chart
from tests.app.test_charts import parse, texts
from tests.app.test_reports import (  # noqa: F401 (fixtures)
    District,
    _app_context,
    district,
    rated_ward,
    whole_report,
)
from tests.visual import assert_matches_reference, pdf_page_images

DPI = 100
#: Points around the chart's words: the legend's markers stand left of them.
MARGIN = 16
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
    r"([^<]*)</word>"
)


def chart_image(pdf: bytes, svg: str) -> Image.Image:
    """Cut the chart drawn from ``svg`` out of the page that holds it: where
    the PDF shows the chart's words, all of them, in the SVG's order."""
    words = [word for text in texts(parse(svg)) for word in text.split()]
    for number, page in enumerate(pdf_page_images(pdf, dpi=DPI), start=1):
        placed = page_words(pdf, number)
        shown = [word for word, _ in placed]
        for start in range(len(placed) - len(words) + 1):
            if shown[start : start + len(words)] == words:
                boxes = [box for _, box in placed[start : start + len(words)]]
                left, top = (min(b[i] for b in boxes) for i in (0, 1))
                right, bottom = (max(b[i] for b in boxes) for i in (2, 3))
                # The size is rounded from the chart's extent, not from its two
                # edges: a chart placed a fraction of a point lower keeps its
                # size in pixels (the blur absorbs the sub-pixel shift).
                x, y = (round(v * DPI / 72) for v in (left - MARGIN, top - MARGIN / 4))
                width, height = (
                    round(v * DPI / 72)
                    for v in (right - left + MARGIN * 5 / 4, bottom - top + MARGIN / 2)
                )
                return page.crop((x, y, x + width, y + height))
    raise AssertionError(f"no chart {parse(svg).get('aria-label')!r} in the PDF")


def page_words(pdf: bytes, number: int) -> list[tuple[str, tuple[float, ...]]]:
    """Every word of one page with its box in points, in drawing order."""
    executable = shutil.which("pdftotext")
    if executable is None:
        raise RuntimeError("pdftotext is missing: make pdf-tools installs it")
    found = subprocess.run(
        [executable, "-raw", "-bbox", "-f", str(number), "-l", str(number), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        (unescape(word), tuple(float(v) for v in box))
        for *box, word in _WORD.findall(found)
    ]


def test_the_unit_report_prints_the_dashboards_dimensions_chart(
    db_session: Session,
    district: District,  # noqa: F811
) -> None:
    report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
    svg = dimensions_chart(report.dimensions, report.header, chart_words())
    image = chart_image(unit_report_pdf(report), svg)
    assert_matches_reference(image, "pdf-chart-dimensions")


def test_the_district_report_prints_the_dashboards_league_chart(
    db_session: Session,
    district: District,  # noqa: F811
) -> None:
    report = whole_report(db_session, district.district, district.campaign)
    svg = league_chart(report, chart_words())
    image = chart_image(district_report_pdf(report), svg)
    assert_matches_reference(image, "pdf-chart-league")


def test_a_league_taller_than_a_page_is_printed_whole_on_one_page(
    db_session: Session,
    district: District,  # noqa: F811
) -> None:
    for number in range(45):
        rated_ward(
            db_session, district.district, district.campaign,
            f"Phường Thử Nghiệm Số {number}", str(2 + number % 4), 5,
        )  # fmt: skip
    report = whole_report(db_session, district.district, district.campaign)
    svg = league_chart(report, chart_words())
    assert svg_size(svg)[1] * 25.4 / 72 > 297  # taller than an A4 sheet
    image = chart_image(district_report_pdf(report), svg)
    assert image.height < 297 * DPI / 25.4
