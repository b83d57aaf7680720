"""Reports as Excel workbooks: one sheet per table, numbers as numbers, print-ready.

Every text cell, headings included, goes through ``neutralised``: a unit named
``=HYPERLINK(...)`` or a comment starting with ``+`` stays text.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from app.formatting import excel_datetime_format
from app.i18n import _, in_language
from app.reports.cases import CaseSection
from app.reports.cases_layout import (
    CASES_NOTE,
    SHEET_CASES,
    case_columns,
    readable_cases,
)
from app.reports.data import DistrictReport, Header, UnitReport
from app.reports.dossier_layout import (
    INDICATORS_NOTE,
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
    COUNT,
    DIFFERENCE,
    MEAN,
    METHODOLOGY,
    P_VALUE,
    PERCENT,
    RANK,
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
    SHEET_SUMMARY,
    SHEET_UNITS,
    TEXT,
    Column,
    channel_columns,
    channel_lines,
    comment_columns,
    dossier_rating_columns,
    dossier_rating_rows,
    estimate_columns,
    index_columns,
    league_columns,
    official_columns,
    official_rows,
    officials_summary,
    period_text,
    with_notes,
    with_separations,
)
from app.reports.standing import Standing
from app.reports.standing_layout import (
    SHEET_QUARTERS,
    SHEET_STANDING,
    SHEET_UNIT_QUARTERS,
    STANDING_NOTE,
    quarter_columns,
    quarter_rows,
    standing_columns,
    standing_rows,
    standing_text,
    unit_quarter_columns,
    unit_quarter_rows,
)
from app.spreadsheets import neutralised, text_width, wrapped_lines
from surveys.local_time import LOCAL_OFFSET

NUMBER_FORMATS = {
    COUNT: "0",
    RANK: "0",
    MEAN: "0.00",
    DIFFERENCE: "+0.00;-0.00;0.00",
    P_VALUE: "0.000",
    PERCENT: "0.0%",
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
#: The other cells of a row that wraps: at the top of it, level with the first
#: line of the wrapped text (LibreOffice puts a cell at the bottom by default,
#: so a number sat a line or two below the text it belongs with).
TOP = Alignment(vertical="top")
#: Column widths, in widths of the digit 0: a column grows with its content up
#: to MAX_WIDTH, then its texts wrap; a heading takes up to HEADING_WIDTH on
#: one line before it wraps between words.
MIN_WIDTH, MAX_WIDTH, HEADING_WIDTH, NOTE_WIDTH = 6, 60, 12, 110
#: The room Excel and LibreOffice keep around a cell's text.
PADDING = 2
#: One line of the default font (Calibri 11 pt, Carlito in LibreOffice), in points.
LINE_HEIGHT = 15


def unit_report_xlsx(report: UnitReport) -> bytes:
    """Write one unit's report as a workbook, one sheet per table, in its language."""
    with in_language(report.header.language):
        book = Workbook()
        _summary(book.active, report)
        sheets = (
            (SHEET_ITEMS, estimate_columns(), report.items),
            (SHEET_DIMENSIONS, estimate_columns(), report.dimensions),
            (SHEET_INDEX, index_columns(), report.index),
            (SHEET_COUNTERS, estimate_columns(), report.counters),
            (SHEET_OFFICIALS, official_columns(), official_rows(report.officials)),
            (SHEET_COMMENTS, comment_columns(), report.comments),
        )
        for title, columns, frame in sheets:
            _sheet(book.create_sheet(str(title)), columns, frame)
        _channels(book, report.channels)
        _standing(book, report.standing, report.header.headline_label)
        if not report.officials.empty:
            officials = book[str(SHEET_OFFICIALS)]
            _note(officials, officials_summary(report.officials))
        _dossier_sheets(book, report.dossiers, several=False)
        _dossier_ratings(book, report.dossier_ratings)
        _case_sheet(book, report.cases, several=False)
        _methodology(book.create_sheet(str(SHEET_METHODOLOGY)))
    return _saved(book, report.header.generated_at)


def district_report_xlsx(report: DistrictReport) -> bytes:
    """Write the district's league table, its own dimensions and items, and every
    unit's summary as a workbook."""
    with in_language(report.header.language):
        book = Workbook()
        _summary(book.active, report)
        _sheet(
            book.create_sheet(str(SHEET_LEAGUE)),
            league_columns(),
            with_separations(report.league),
        )
        for title, frame in (
            (SHEET_DIMENSIONS, report.dimensions),
            (SHEET_ITEMS, report.items),
        ):
            _sheet(book.create_sheet(str(title)), estimate_columns(), frame)
        columns = [Column("unit_name", _("Đơn vị"), TEXT, 36), *estimate_columns()]
        _sheet(book.create_sheet(str(SHEET_UNITS)), columns, report.units)
        _channels(book, report.channels)
        if report.quarters is not None and not report.quarters.empty:
            _sheet(
                book.create_sheet(str(SHEET_QUARTERS)),
                quarter_columns(),
                quarter_rows(report.quarters),
            )
            _sheet(
                book.create_sheet(str(SHEET_UNIT_QUARTERS)),
                unit_quarter_columns(report.quarters),
                unit_quarter_rows(report.quarters),
            )
        _dossier_sheets(book, report.dossiers, several=True)
        _dossier_ratings(book, report.dossier_ratings)
        _case_sheet(book, report.cases, several=True)
        _methodology(book.create_sheet(str(SHEET_METHODOLOGY)))
    return _saved(book, report.header.generated_at)


def _channels(book: Workbook, table: pd.DataFrame) -> None:
    """Add the sheet of the headline by channel and together, when responses
    came through several channels."""
    if not table.empty:
        _sheet(book.create_sheet(str(SHEET_CHANNELS)), channel_columns(), table)


def _standing(book: Workbook, standing: Standing | None, score_label: str) -> None:
    """Add the sheet of the unit's place among its peers, when it has peers."""
    if standing is None:
        return
    sheet = book.create_sheet(str(SHEET_STANDING))
    _sheet(sheet, standing_columns(), standing_rows(standing))
    for text in (standing_text(standing, score_label), str(STANDING_NOTE)):
        _note(sheet, text)


def _dossier_sheets(
    book: Workbook, section: DossierSection | None, *, several: bool
) -> None:
    """Add the dossier sheets: on time by quarter, the indicators, the points."""
    if section is None:
        return
    _sheet(
        book.create_sheet(str(SHEET_TIMELINESS)),
        timeliness_columns(),
        readable_timeliness(section.timeliness),
    )
    indicators = book.create_sheet(str(SHEET_INDICATORS))
    _sheet(
        indicators,
        indicator_columns(with_unit=several),
        readable_indicators(section.indicators),
    )
    _note(indicators, str(INDICATORS_NOTE))
    _sheet(
        book.create_sheet(str(SHEET_POINTS)),
        points_columns(),
        readable_totals(section.points),
    )


def _case_sheet(book: Workbook, section: CaseSection | None, *, several: bool) -> None:
    """Add the sheet of the feedback cases' quarters, per unit when several."""
    if section is None:
        return
    sheet = book.create_sheet(str(SHEET_CASES))
    _sheet(sheet, case_columns(with_unit=several), readable_cases(section.table))
    _note(sheet, str(CASES_NOTE))


def _dossier_ratings(book: Workbook, table: pd.DataFrame) -> None:
    """Add the sheet of satisfaction with dossiers returned in time and late, if any."""
    if not table.empty:
        rows = dossier_rating_rows(table)
        sheet = book.create_sheet(str(SHEET_DOSSIER_RATINGS))
        _sheet(sheet, dossier_rating_columns(rows), rows)


def _summary(sheet: Worksheet, report: UnitReport | DistrictReport) -> None:
    """Fill the first sheet: whose report, which period, how many responses."""
    header: Header = report.header
    sheet.title = str(SHEET_SUMMARY)
    rows: Sequence[tuple[str, object]] = (
        (_("Đơn vị"), header.unit_name),
        (_("Đợt khảo sát"), header.campaign_name),
        (_("Kỳ báo cáo"), period_text(header)),
        # Vietnam time, as every date the reports print.
        (
            _("Số liệu đến ngày (giờ Việt Nam)"),
            (header.generated_at + LOCAL_OFFSET).replace(tzinfo=None),
        ),
        (_("Xếp hạng theo"), header.headline_label),
        *channel_lines(header),
        (_("Số phiếu hợp lệ"), report.counts.responses),
        (_("Số phiếu xác thực (mã dùng một lần)"), report.counts.verified),
        (_("Số phiếu bị loại (không tính)"), report.counts.excluded),
    )
    for row in rows:
        sheet.append([neutralised(value) for value in row])
        if isinstance(row[1], datetime):
            sheet.cell(sheet.max_row, 2).number_format = _moment_format()
    for cell in sheet["A"]:
        cell.font = BOLD
    _fit(sheet, header=False)
    _print_setup(sheet, repeat_header=False)


def _sheet(sheet: Worksheet, columns: Sequence[Column], frame: pd.DataFrame) -> None:
    """Write a table: a bold wrapped header frozen with the label column, typed
    cells with formats, columns sized to their content, print setup."""
    sheet.append([neutralised(column.heading) for column in columns])
    for cell in sheet[1]:
        cell.font = BOLD
    if not frame.empty:
        frame = with_notes(frame) if "reliable" in frame else frame
        for record in frame.to_dict("records"):
            sheet.append([_value(record.get(c.name), c.kind) for c in columns])
    for position, column in enumerate(columns, start=1):
        if column.kind in NUMBER_FORMATS:
            shown = NUMBER_FORMATS[column.kind]
        elif column.name == "submitted_at":
            shown = _moment_format()
        else:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            cell.number_format = shown
    # The header, and the label column (the unit after its rank in the league),
    # stay in sight while the reader scrolls.
    labels = [i for i, c in enumerate(columns[:2], start=1) if c.kind == TEXT]
    sheet.freeze_panes = sheet.cell(2, (labels[0] if labels else 0) + 1).coordinate
    _fit(sheet, header=True)
    _print_setup(sheet, repeat_header=True)


def _value(value: object, kind: str) -> object:
    """Return a cell value: a number (percent as a fraction), text, or empty."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if kind == PERCENT:
        return float(value) / 100  # type: ignore[arg-type]
    if kind == TEXT:
        return neutralised(str(value))
    return float(value) if kind != COUNT else int(value)  # type: ignore[arg-type]


def _methodology(sheet: Worksheet) -> None:
    """Write the methodology as one wrapped paragraph a page wide."""
    sheet.column_dimensions["A"].width = NOTE_WIDTH
    _note(sheet, str(METHODOLOGY), first=True)
    _print_setup(sheet, repeat_header=False)


def _note(sheet: Worksheet, text: str, *, first: bool = False) -> None:
    """Add a paragraph under a table (after an empty row), across its columns,
    wrapped, its row as tall as its lines."""
    if not first:
        sheet.append([])
    sheet.append([neutralised(text)])
    row = sheet.max_row
    last = max(sheet.max_column, 1)
    if last > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    width = sum(
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width
        for column in range(1, last + 1)
    )
    sheet.cell(row, 1).alignment = WRAP
    _set_lines(sheet, row, wrapped_lines(text, width - PADDING))


def _fit(sheet: Worksheet, *, header: bool) -> None:
    """Size each column to its content, wrap what is longer, and give each row
    that wraps the height of its lines.

    Spreadsheet programs do not agree on growing a row for wrapped text (a row
    LibreOffice reads keeps the height it is given), so the height is set here,
    from how many lines the widest-wrapped cell of the row takes. A heading
    wraps between words, never inside one.
    """
    widths: dict[int, float] = {}
    #: The cells that may not fit on one line: the headings, and texts wider
    #: than any column grows (every other cell sets its column's width).
    wrapping: list[Cell] = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            shown = _shown(cell)
            if header and cell.row == 1:
                words = max((text_width(word) for word in shown.split()), default=0)
                size = max(words, min(text_width(shown), HEADING_WIDTH))
                wrapping.append(cell)
            else:
                size = max(text_width(line) for line in shown.split("\n"))
                if size > MAX_WIDTH or "\n" in shown:
                    wrapping.append(cell)
            widths[cell.column] = max(widths.get(cell.column, MIN_WIDTH), size)
    for column, size in widths.items():
        widths[column] = min(size, MAX_WIDTH)
        letter = sheet.cell(1, column).column_letter
        sheet.column_dimensions[letter].width = widths[column] + PADDING
    lines: dict[int, int] = {}
    for cell in wrapping:
        cell.alignment = WRAP
        count = wrapped_lines(str(cell.value), widths[cell.column])
        lines[cell.row] = max(lines.get(cell.row, 1), count)
    for row, count in lines.items():
        if count > 1:
            _set_lines(sheet, row, count)


def _set_lines(sheet: Worksheet, row: int, lines: int) -> None:
    """Make a row tall enough for ``lines`` lines of the default font, every
    cell at its top."""
    sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 2
    for cell in sheet[row]:
        if cell.value is not None and not cell.alignment.wrap_text:
            cell.alignment = TOP


def _shown(cell: Cell) -> str:
    """Return about what a cell shows: a number in its format, a moment's layout."""
    value = cell.value
    if isinstance(value, str):
        return value
    layout = cell.number_format
    if isinstance(value, datetime):
        return layout.replace('"', "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = len(layout.split(";")[0].partition(".")[2].rstrip("%"))
        if "%" in layout:
            return f"{value * 100:.{decimals}f}%"
        return f"{value:{'+' if layout.startswith('+') else ''}.{decimals}f}"
    return str(value)


def _moment_format() -> str:
    """Return the number format of a moment in Vietnam time, its zone written out."""
    hours = int(LOCAL_OFFSET.total_seconds() // 3600)
    return f'{excel_datetime_format()} "(UTC+{hours})"'


def _print_setup(sheet: Worksheet, *, repeat_header: bool) -> None:
    """Print on A4 landscape, one page wide, the heading row on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_header:
        sheet.print_title_rows = "1:1"


def _saved(book: Workbook, moment: datetime) -> bytes:
    """Save the workbook with every timestamp set to ``moment``: same data, same bytes.

    ``Workbook.save`` stamps the properties and each zip entry with the clock;
    the entries are written again with the moment's date instead.
    """
    stamp = moment.astimezone(UTC).replace(tzinfo=None)
    book.properties.created = book.properties.modified = stamp
    written = io.BytesIO()
    with ZipFile(written, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    fixed = io.BytesIO()
    with ZipFile(written) as source, ZipFile(fixed, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            member = ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            member.compress_type = ZIP_DEFLATED
            target.writestr(member, source.read(entry))
    return fixed.getvalue()
