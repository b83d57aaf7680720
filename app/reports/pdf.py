"""Reports as A4 PDFs: each score with its interval and n, a chart, the method.

A report is an administrative document (``app.official_document``): national
header, number, place and date, title, text, recipients, signer and page
numbers. Tables take their column widths from their content, so no word and no
moment is broken, and repeat their header row on every page. A chart is the
very SVG the dashboard shows (``app.reports.report_charts``), placed with
fpdf2's ``image``: vector, crisp at any resolution, its text real text in the
font it was laid out with.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pandas as pd
from fpdf import FPDF

from app.charts import FONT_FAMILY, font_files, svg_size
from app.formatting import format_datetime, format_number
from app.i18n import _, in_language
from app.official_document import (
    BODY_SIZE,
    LINE,
    administrative_date,
    body_name,
    closing,
    document_title,
    national_header,
    number_pages,
    official_document,
    report_number,
)
from app.printing import set_font
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
    DISTRICT_SUBJECT,
    DISTRICT_TITLE,
    LEAGUE_NOTE,
    METHODOLOGY,
    REPORT_KIND,
    SHEET_CHANNELS,
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
    TEXT,
    UNIT_SUBJECT,
    UNIT_TITLE,
    Column,
    channel_columns,
    channel_lines,
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
    UNIT_QUARTERS_TITLE,
    quarter_chart,
    quarter_columns,
    standing_chart,
    standing_columns,
    standing_rows,
    standing_text,
    unit_quarter_columns,
    unit_quarter_rows,
)
from surveys.local_time import local_date

#: Table font sizes (pt) tried in turn, until every column fits unbroken.
TABLE_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
#: A table cell's padding (mm) on each side, and its rules' width.
CELL_PADDING, CELL_PADDING_Y = 0.8, 0.6
RULE = 0.2
#: The share of the width the narrowest unbroken columns may take, if a smaller
#: size allows, so that long texts do not wrap a word a line.
ROOM_TO_WRAP = 0.8
#: Text under a table, smaller than the text (pt).
NOTE_SIZE = 11.0
#: Millimetres per point.
POINT = 25.4 / 72
#: Columns of the league table printed on a portrait page (the workbook has all).
PRINTED_LEAGUE = ("rank", "label", "n", "mean", "mean_low", "mean_high",
                  "rank_low", "rank_high", "group", "note")  # fmt: skip


def unit_report_pdf(report: UnitReport) -> bytes:
    """Lay out one unit's report for printing and filing, in its language."""
    with in_language(report.header.language):
        pdf = _start(report.header, str(UNIT_TITLE), str(UNIT_SUBJECT))
        _counts(pdf, report)
        tables = [report.items, report.dimensions, report.counters, report.officials]
        if has_small_samples([*tables, report.channels, report.index]):
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
        _channels(pdf, report.channels)
        if not report.officials.empty:
            officials = official_rows(report.officials)
            _table(pdf, SHEET_OFFICIALS, official_columns(), officials)
            _note(pdf, officials_summary(report.officials))
        if not report.comments.empty:
            _table(pdf, SHEET_COMMENTS, comment_columns(), report.comments)
        _dossiers(pdf, report.dossiers)
        _dossier_ratings(pdf, report.dossier_ratings)
        _cases(pdf, report.cases, several=False)
        _methodology(pdf)
        return _finish(pdf, report.header)


def district_report_pdf(report: DistrictReport) -> bytes:
    """Lay out the district's league table, with rank intervals, and the district's
    own dimensions and items, for printing."""
    with in_language(report.header.language):
        pdf = _start(report.header, str(DISTRICT_TITLE), str(DISTRICT_SUBJECT))
        _counts(pdf, report)
        tables = [report.league, report.dimensions, report.items, report.channels]
        if has_small_samples(tables):
            _warning(pdf, str(SMALL_SAMPLE_WARNING))
        _chart(pdf, league_chart(report, chart_words()))
        columns = [c for c in league_columns() if c.name in PRINTED_LEAGUE]
        _table(pdf, SHEET_LEAGUE, columns, report.league)
        _note(pdf, str(LEAGUE_NOTE))
        _quarters(pdf, report)
        # The district as a whole: all its units' responses together.
        for title, table in (
            (SHEET_DIMENSIONS, report.dimensions),
            (SHEET_ITEMS, report.items),
        ):
            _table(pdf, title, estimate_columns(), table)
        _channels(pdf, report.channels)
        _dossiers(pdf, report.dossiers)
        _dossier_ratings(pdf, report.dossier_ratings)
        _cases(pdf, report.cases, several=True)
        _methodology(pdf)
        return _finish(pdf, report.header)


def _channels(pdf: FPDF, table: pd.DataFrame) -> None:
    """Print the headline by channel and together, when responses came by several."""
    if not table.empty:
        _table(pdf, SHEET_CHANNELS, channel_columns(), table)


def _standing(pdf: FPDF, report: UnitReport) -> None:
    """Print where the unit stands among its peers, when it has peers."""
    standing = report.standing
    if standing is None:
        return
    _heading(pdf, str(STANDING_TITLE))
    set_font(pdf, BODY_SIZE)
    _paragraph(pdf, LINE, standing_text(standing, report.header.headline_label))
    _chart(pdf, standing_chart(standing, chart_words()))
    _table(pdf, _("Hạng của các đơn vị cùng cấp"), standing_columns(),
           standing_rows(standing))  # fmt: skip
    _note(pdf, str(STANDING_NOTE))


def _quarters(pdf: FPDF, report: DistrictReport) -> None:
    """Print the headline by quarter: all units together drawn, then each unit's
    quarters as a table (a row per unit)."""
    quarters = report.quarters
    if quarters is None or quarters.empty:
        return
    drawn = quarter_chart(quarters, report.header, chart_words())
    if drawn is not None:
        svg, whole = drawn
        _chart(pdf, svg)
        _table(pdf, QUARTERS_TITLE, quarter_columns(), whole)
    units = unit_quarter_rows(quarters)
    if not units.empty:
        _table(pdf, UNIT_QUARTERS_TITLE, unit_quarter_columns(quarters), units)


def _dossiers(pdf: FPDF, section: DossierSection | None) -> None:
    """Print the dossier section: on time by quarter, the indicators, the points.

    A district's indicators are printed for all its units together; each
    unit's are in the workbook, and its points here.
    """
    if section is None:
        return
    _heading(pdf, str(SECTION_TITLE))
    set_font(pdf, BODY_SIZE)
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
    _note(pdf, str(INDICATORS_NOTE))


def _cases(pdf: FPDF, section: CaseSection | None, *, several: bool) -> None:
    """Print the feedback cases' quarters: all units, then each unit's (district)."""
    if section is None:
        return
    _heading(pdf, str(CASES_TITLE))
    set_font(pdf, BODY_SIZE)
    overdue = _(
        "Phản ánh quá hạn chưa trả lời (tính đến %(moment)s): %(count)s",
        moment=format_datetime(section.as_of),
        count=format_number(section.overdue, 0),
    )
    _paragraph(pdf, LINE, overdue)
    _table(
        pdf, SHEET_CASES, case_columns(with_unit=several), readable_cases(section.table)
    )
    _note(pdf, str(CASES_NOTE))


def _dossier_ratings(pdf: FPDF, table: pd.DataFrame) -> None:
    """Print satisfaction with dossiers returned in time and late, once any is rated."""
    if not table.empty:
        rows = dossier_rating_rows(table)
        _table(pdf, SHEET_DOSSIER_RATINGS, dossier_rating_columns(rows), rows)


def _start(header: Header, title: str, subject: str) -> FPDF:
    """Open the report: national header, number, place and date, title, subject."""
    pdf = official_document(title)
    # The creation date also seeds the file's /ID: fixed by the data, the same
    # report gives the same bytes.
    pdf.set_creation_date(header.generated_at)
    issued_on = local_date(header.generated_at)
    national_header(pdf, header.issuer, report_number(header.issuer), issued_on)
    document_title(pdf, str(REPORT_KIND), [subject, header.campaign_name])
    set_font(pdf, BODY_SIZE)
    lines = (
        (_("Đơn vị"), header.unit_name),
        (_("Kỳ báo cáo"), period_text(header)),
        (_("Số liệu đến"), administrative_date(issued_on)),
        (_("Xếp hạng theo"), header.headline_label),
        *channel_lines(header),
    )
    for label, value in lines:
        _paragraph(pdf, LINE, f"{label}: {value}")
    pdf.ln(2)
    return pdf


def _finish(pdf: FPDF, header: Header) -> bytes:
    """Close the report with its recipients and signer, number its pages."""
    issuer = header.issuer
    recipients = []
    if issuer.parent_name:
        parent = body_name(issuer.parent_name, issuer.parent_kind)
        recipients.append(_("- %(body)s (để báo cáo);", body=parent))
    recipients.append(_("- Lưu: VT."))
    closing(pdf, issuer, recipients)
    number_pages(pdf)
    return bytes(pdf.output())


def _counts(pdf: FPDF, report: UnitReport | DistrictReport) -> None:
    counts = report.counts
    set_font(pdf, BODY_SIZE)
    for label, value in (
        (_("Số phiếu hợp lệ"), counts.responses),
        (_("Số phiếu xác thực (mã dùng một lần)"), counts.verified),
        (_("Số phiếu bị loại (không tính)"), counts.excluded),
    ):
        _paragraph(pdf, LINE, f"{label}: {format_number(value, 0)}")
    pdf.ln(2)


def _warning(pdf: FPDF, message: str) -> None:
    set_font(pdf, BODY_SIZE, bold=True)
    with pdf.local_context(text_color=(160, 60, 0)):
        _paragraph(pdf, LINE, message)
    pdf.ln(2)


def _heading(pdf: FPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(2)
    set_font(pdf, BODY_SIZE, bold=True)
    _paragraph(pdf, LINE + 1, title)


def _table(
    pdf: FPDF, title: object, columns: Sequence[Column], frame: pd.DataFrame
) -> None:
    """Print a table across the page, its header row on every page it takes.

    A column empty in every row is left out. The title goes to the next page
    with the table when the header row and the first row do not fit under it.
    """
    if frame.empty:
        _heading(pdf, str(title))
        set_font(pdf, BODY_SIZE)
        _paragraph(pdf, LINE, _("Chưa có dữ liệu."))
        return
    records = with_notes(frame).to_dict("records")
    cells = [[_cell(record, column) for column in columns] for record in records]
    kept = [i for i in range(len(columns)) if i == 0 or any(row[i] for row in cells)]
    columns = [columns[i] for i in kept]
    cells = [[row[i] for i in kept] for row in cells]
    headings = [c.heading for c in columns]
    size, widths = column_widths(pdf, columns, cells, pdf.epw)
    line = size * 0.45
    top = _row_height(pdf, headings, widths, size, line, bold=True)
    top += _row_height(pdf, cells[0], widths, size, line)
    if pdf.get_y() + 2 * LINE + top > pdf.page_break_trigger:
        pdf.add_page()
    _heading(pdf, str(title))
    set_font(pdf, size)
    aligns = tuple("LEFT" if c.kind == TEXT else "RIGHT" for c in columns)
    pdf.set_x(pdf.l_margin)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        align="LEFT",
        line_height=line,
        text_align=aligns,
        padding=(CELL_PADDING_Y, CELL_PADDING),
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        table.row(headings)
        for row in cells:
            table.row(row)


def _row_height(
    pdf: FPDF,
    texts: Sequence[str],
    widths: Sequence[float],
    size: float,
    line: float,
    *,
    bold: bool = False,
) -> float:
    """Return the height (mm) a table row of ``texts`` takes, wrapped as printed."""
    set_font(pdf, size, bold=bold)
    lines = [
        len(pdf.multi_cell(w - 2 * CELL_PADDING, line, t, dry_run=True, output="LINES"))
        for t, w in zip(texts, widths, strict=True)
    ]
    return max(lines) * line + 2 * CELL_PADDING_Y


def column_widths(
    pdf: FPDF,
    columns: Sequence[Column],
    cells: Sequence[Sequence[str]],
    usable: float,
) -> tuple[float, list[float]]:
    """Choose the font size and column widths (mm) of a table from its content.

    Each column is at least as wide as its longest word (its heading's too, in
    bold) and its longest unbreakable cell (a number, a moment, a code), at the
    largest of ``TABLE_SIZES`` where these minimums fit ``usable`` with a fifth
    of it to spare (else with none to spare); the room
    left goes to the columns whose text would otherwise wrap, in proportion to
    how much more they would take on one line.
    """
    base = TABLE_SIZES[0]
    bold, regular = _measure(pdf, base, bold=True), _measure(pdf, base)
    lows, highs = [], []
    for i, column in enumerate(columns):
        heading_words = [bold(w) for w in column.heading.split()]
        # A heading may wrap to three lines or so, rather than widen its column.
        heading = min(bold(column.heading), 2 * max(heading_words))
        texts = {row[i] for row in cells if row[i]}
        whole = [regular(text) for text in texts]
        if column.kind == TEXT and column.wrap:
            words = [regular(w) for w in {w for text in texts for w in text.split()}]
        else:
            words = whole
        lows.append(max([*heading_words, *words, 0.0]))
        highs.append(max([heading, *whole, 0.0]))
    extra = 2 * CELL_PADDING + RULE + 0.5

    def fitting(room: float) -> float | None:
        """The largest size whose minimum widths fit ``room``."""
        return next(
            (s for s in TABLE_SIZES if sum(w * s / base + extra for w in lows) <= room),
            None,
        )

    # Leave a share of the page to the columns that wrap, when a size allows.
    size = fitting(usable * ROOM_TO_WRAP) or fitting(usable) or TABLE_SIZES[-1]
    scale = size / base
    low = [w * scale + extra for w in lows]
    high = [max(w * scale + extra, lo) for w, lo in zip(highs, low, strict=True)]
    if sum(high) <= usable:
        spare = usable - sum(high)
        return size, [w + spare * w / sum(high) for w in high]
    spare = usable - sum(low)
    if spare < 0:  # too many columns even at the smallest size: shrink them all
        return size, [w * usable / sum(low) for w in low]
    wanted = [h - lo for h, lo in zip(high, low, strict=True)]
    return size, [
        lo + spare * w / sum(wanted) for lo, w in zip(low, wanted, strict=True)
    ]


def _measure(pdf: FPDF, size: float, *, bold: bool = False) -> Callable[[str], float]:
    """Return a function giving a text's width (mm) in the table face at ``size``.

    fpdf2 sets a text's width as the sum of its letters' (no kerning, no
    shaping): each letter is measured once, so thousands of comments are
    measured in milliseconds.
    """
    letters: dict[str, float] = {}

    def width(text: str) -> float:
        new = set(text) - letters.keys()
        if new:
            set_font(pdf, size, bold=bold)
            letters.update((letter, pdf.get_string_width(letter)) for letter in new)
        return sum(letters[letter] for letter in text)

    return width


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


def _note(pdf: FPDF, text: str) -> None:
    """Print the explanation under a table, smaller than the text."""
    pdf.ln(1)
    set_font(pdf, NOTE_SIZE, italic=True)
    _paragraph(pdf, NOTE_SIZE * 0.45, text)


def _methodology(pdf: FPDF) -> None:
    """Say in plain words how the numbers are computed, paragraph by paragraph."""
    _heading(pdf, str(SHEET_METHODOLOGY))
    set_font(pdf, BODY_SIZE)
    for paragraph in str(METHODOLOGY).split("\n"):
        _paragraph(pdf, LINE, paragraph)
