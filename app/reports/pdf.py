"""Reports as A4 PDFs: each score with its interval and n, a chart, the method.

A chart is the very SVG the dashboard shows (``app.reports.report_charts``), placed
with fpdf2's ``image``: vector, crisp at any resolution, its text real text in
the font it was laid out with.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from fpdf import FPDF

from app.charts import FONT_FAMILY, font_files, svg_size
from app.formatting import format_date, format_datetime, format_number
from app.i18n import _, in_language
from app.printing import new_document, set_font
from app.reports.cases import CaseSection
from app.reports.cases_layout import (
    CASES_NOTE,
    SHEET_CASES,
    case_columns,
    readable_cases,
)
from app.reports.cases_layout import SECTION_TITLE as CASES_TITLE
from app.reports.data import DistrictReport, Header, UnitReport
from app.reports.dossier_layout import (
    INDICATORS_NOTE,
    SECTION_TITLE,
    SHEET_INDICATORS,
    SHEET_POINTS,
    SHEET_TIMELINESS,
    indicator_columns,
    points_columns,
    readable_indicators,
    readable_timeliness,
    readable_totals,
    timeliness_columns,
)
from app.reports.dossiers import DossierSection
from app.reports.layout import (
    DISTRICT_TITLE,
    LEAGUE_NOTE,
    METHODOLOGY,
    SHEET_COMMENTS,
    SHEET_COUNTERS,
    SHEET_DIMENSIONS,
    SHEET_DOSSIER_RATINGS,
    SHEET_INDEX,
    SHEET_ITEMS,
    SHEET_LEAGUE,
    SHEET_METHODOLOGY,
    SHEET_OFFICIALS,
    SMALL_SAMPLE_WARNING,
    UNIT_TITLE,
    Column,
    comment_columns,
    dossier_rating_columns,
    dossier_rating_rows,
    estimate_columns,
    has_small_samples,
    index_columns,
    league_columns,
    official_columns,
    official_rows,
    officials_summary,
    period_text,
    shown,
    with_notes,
)
from app.reports.report_charts import chart_words, dimensions_chart, league_chart
from app.reports.standing_layout import (
    QUARTERS_TITLE,
    STANDING_NOTE,
    STANDING_TITLE,
    quarter_charts,
    quarter_columns,
    quarter_rows,
    standing_chart,
    standing_columns,
    standing_rows,
    standing_text,
)

MARGIN = 12.0
LINE = 5.0
#: Millimetres per point.
POINT = 25.4 / 72
#: Columns of the league table printed on a portrait page (the workbook has all).
PRINTED_LEAGUE = ("rank", "label", "n", "mean", "mean_low", "mean_high",
                  "rank_low", "rank_high", "group", "note")  # fmt: skip


def unit_report_pdf(report: UnitReport) -> bytes:
    """Lay out one unit's report for printing and filing, in its language."""
    with in_language(report.header.language):
        pdf = _start(report.header, str(UNIT_TITLE))
        _counts(pdf, report)
        tables = [report.items, report.dimensions, report.counters, report.officials]
        if has_small_samples([*tables, report.index]):
            _warning(pdf, str(SMALL_SAMPLE_WARNING))
        if not report.dimensions.empty:
            _chart(
                pdf, dimensions_chart(report.dimensions, report.header, chart_words())
            )
        _standing(pdf, report)
        if not report.index.empty:
            _table(pdf, SHEET_INDEX, index_columns(), report.index)
        for title, table in (
            (SHEET_DIMENSIONS, report.dimensions),
            (SHEET_ITEMS, report.items),
            (SHEET_COUNTERS, report.counters),
        ):
            _table(pdf, title, estimate_columns(), table)
        if not report.officials.empty:
            officials = official_rows(report.officials)
            _table(pdf, SHEET_OFFICIALS, official_columns(), officials)
            set_font(pdf, 8)
            _paragraph(pdf, 4, officials_summary(report.officials))
        if not report.comments.empty:
            _table(pdf, SHEET_COMMENTS, comment_columns(), report.comments)
        _dossiers(pdf, report.dossiers)
        _dossier_ratings(pdf, report.dossier_ratings)
        _cases(pdf, report.cases, several=False)
        _methodology(pdf)
        return bytes(pdf.output())


def district_report_pdf(report: DistrictReport) -> bytes:
    """Lay out the district's league table, with rank intervals, and the district's
    own dimensions and items, for printing."""
    with in_language(report.header.language):
        pdf = _start(report.header, str(DISTRICT_TITLE))
        _counts(pdf, report)
        if has_small_samples([report.league, report.dimensions, report.items]):
            _warning(pdf, str(SMALL_SAMPLE_WARNING))
        _chart(pdf, league_chart(report, chart_words()))
        columns = [c for c in league_columns() if c.name in PRINTED_LEAGUE]
        _table(pdf, SHEET_LEAGUE, columns, report.league)
        set_font(pdf, 8)
        _paragraph(pdf, 4, str(LEAGUE_NOTE))
        _quarters(pdf, report)
        # The district as a whole: all its units' responses together.
        for title, table in (
            (SHEET_DIMENSIONS, report.dimensions),
            (SHEET_ITEMS, report.items),
        ):
            _table(pdf, title, estimate_columns(), table)
        _dossiers(pdf, report.dossiers)
        _dossier_ratings(pdf, report.dossier_ratings)
        _cases(pdf, report.cases, several=True)
        _methodology(pdf)
        return bytes(pdf.output())


def _standing(pdf: FPDF, report: UnitReport) -> None:
    """Print where the unit stands among its peers, when it has peers."""
    standing = report.standing
    if standing is None:
        return
    _heading(pdf, str(STANDING_TITLE))
    set_font(pdf, 10)
    _paragraph(pdf, LINE, standing_text(standing, report.header.headline_label))
    _chart(pdf, standing_chart(standing, chart_words()))
    _table(pdf, _("Hạng của các đơn vị cùng cấp"), standing_columns(),
           standing_rows(standing))  # fmt: skip
    set_font(pdf, 8)
    _paragraph(pdf, 4, str(STANDING_NOTE))


def _quarters(pdf: FPDF, report: DistrictReport) -> None:
    """Print the headline by quarter, all units together and then each unit."""
    if report.quarters is not None and not report.quarters.empty:
        for svg, _rows in quarter_charts(report.quarters, report.header, chart_words()):
            _chart(pdf, svg)
        _table(pdf, QUARTERS_TITLE, quarter_columns(), quarter_rows(report.quarters))


def _dossiers(pdf: FPDF, section: DossierSection | None) -> None:
    """Print the dossier section: on time by quarter, the indicators, the points.

    A district's indicators are printed for all its units together; each
    unit's are in the workbook, and its points here.
    """
    if section is None:
        return
    _heading(pdf, str(SECTION_TITLE))
    set_font(pdf, 10)
    overdue = _(
        "Hồ sơ quá hạn chưa trả (tính đến %(moment)s): %(count)s",
        moment=format_datetime(section.as_of),
        count=format_number(section.overdue, 0),
    )
    _paragraph(pdf, LINE, overdue)
    timeliness = readable_timeliness(section.timeliness)
    _table(pdf, SHEET_TIMELINESS, timeliness_columns(), timeliness)
    indicators = readable_indicators(section.indicators)
    whole = indicators[indicators["unit_id"].isna()]
    _table(pdf, SHEET_INDICATORS, indicator_columns(with_unit=False), whole)
    _table(pdf, SHEET_POINTS, points_columns(), readable_totals(section.points))
    set_font(pdf, 8)
    _paragraph(pdf, 4, str(INDICATORS_NOTE))


def _cases(pdf: FPDF, section: CaseSection | None, *, several: bool) -> None:
    """Print the feedback cases' quarters: all units, then each unit's (district)."""
    if section is None:
        return
    _heading(pdf, str(CASES_TITLE))
    set_font(pdf, 10)
    overdue = _(
        "Phản ánh quá hạn chưa trả lời (tính đến %(moment)s): %(count)s",
        moment=format_datetime(section.as_of),
        count=format_number(section.overdue, 0),
    )
    _paragraph(pdf, LINE, overdue)
    _table(
        pdf, SHEET_CASES, case_columns(with_unit=several), readable_cases(section.table)
    )
    set_font(pdf, 8)
    _paragraph(pdf, 4, str(CASES_NOTE))


def _dossier_ratings(pdf: FPDF, table: pd.DataFrame) -> None:
    """Print satisfaction with dossiers returned in time and late, once any is rated."""
    if not table.empty:
        rows = dossier_rating_rows(table)
        _table(pdf, SHEET_DOSSIER_RATINGS, dossier_rating_columns(rows), rows)


def _start(header: Header, title: str) -> FPDF:
    pdf = new_document(title)
    # The creation date also seeds the file's /ID: fixed by the data, the same
    # report gives the same bytes.
    pdf.set_creation_date(header.generated_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()
    set_font(pdf, 16, bold=True)
    _paragraph(pdf, 8, title)
    set_font(pdf, 13, bold=True)
    _paragraph(pdf, 7, header.unit_name)
    set_font(pdf, 10)
    lines = (
        (_("Đợt khảo sát"), header.campaign_name),
        (_("Kỳ báo cáo"), period_text(header)),
        (_("Số liệu đến ngày"), format_date(header.generated_at)),
        (_("Xếp hạng theo"), header.headline_label),
    )
    for label, value in lines:
        _paragraph(pdf, LINE, f"{label}: {value}")
    pdf.ln(2)
    return pdf


def _counts(pdf: FPDF, report: UnitReport | DistrictReport) -> None:
    counts = report.counts
    set_font(pdf, 10)
    for label, value in (
        (_("Số phiếu hợp lệ"), counts.responses),
        (_("Số phiếu xác thực (mã dùng một lần)"), counts.verified),
        (_("Số phiếu bị loại (không tính)"), counts.excluded),
    ):
        _paragraph(pdf, LINE, f"{label}: {format_number(value, 0)}")
    pdf.ln(2)


def _warning(pdf: FPDF, message: str) -> None:
    set_font(pdf, 9, bold=True)
    with pdf.local_context(text_color=(160, 60, 0)):
        _paragraph(pdf, LINE, message)
    pdf.ln(2)


def _heading(pdf: FPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(2)
    set_font(pdf, 12, bold=True)
    _paragraph(pdf, 7, title)


def _table(
    pdf: FPDF, title: object, columns: Sequence[Column], frame: pd.DataFrame
) -> None:
    """Print a table; its first column takes the room the others leave."""
    _heading(pdf, str(title))
    if frame.empty:
        set_font(pdf, 9)
        _paragraph(pdf, LINE, _("Chưa có dữ liệu."))
        return
    frame = with_notes(frame)
    usable = pdf.w - 2 * MARGIN
    fixed = [min(c.width, 18.0) * 0.85 for c in columns]
    widest = max(range(len(columns)), key=lambda i: columns[i].width)
    fixed[widest] = usable - (sum(fixed) - fixed[widest])
    set_font(pdf, 6.5)
    with pdf.table(
        col_widths=fixed,
        width=usable,
        line_height=3.4,
        text_align="LEFT",
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        table.row([c.heading for c in columns])
        for record in frame.to_dict("records"):
            table.row([_cell(record, column) for column in columns])


def _cell(record: dict[str, object], column: Column) -> str:
    value = record.get(column.name)
    if column.name == "submitted_at" and value is not None and value is not pd.NaT:
        return format_datetime(value)
    return shown(value, column.kind)


def _chart(pdf: FPDF, svg: str) -> None:
    """Place a chart across the text column, on a new page if it does not fit.

    Its text is drawn with the font files it was laid out with, registered
    under the family the SVG names. A chart taller than a page (a league of
    many units) is scaled down to the page's height.
    """
    for style, path in font_files().items():
        if f"{FONT_FAMILY.lower()}{style}" not in pdf.fonts:
            pdf.add_font(FONT_FAMILY, style, path)
    width, height = (POINT * size for size in svg_size(svg))
    scale = min(1.0, pdf.epw / width, (pdf.h - pdf.t_margin - pdf.b_margin) / height)
    if pdf.get_y() + height * scale > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(
        io.BytesIO(svg.encode()),
        x=pdf.l_margin,
        y=top,
        w=width * scale,
        h=height * scale,
    )
    pdf.set_y(top + height * scale + 2)


def _paragraph(pdf: FPDF, height: float, content: str) -> None:
    """Print wrapped text across the page and move below it."""
    pdf.multi_cell(0, height, content, new_x="LMARGIN", new_y="NEXT")


def _methodology(pdf: FPDF) -> None:
    _heading(pdf, str(SHEET_METHODOLOGY))
    set_font(pdf, 8)
    _paragraph(pdf, 4, str(METHODOLOGY))
