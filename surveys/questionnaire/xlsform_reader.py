"""Read the XLSForm subset we run from an .xlsx or .xls workbook (survey, choices, ...).

The reader turns worksheet rows into the canonical dict form and lets
``schema`` check it, so the rules are the same as for YAML. Features the
engine does not run are refused by name and row, never dropped; of the
metadata a phone would record, the interview's timing (start, end, today) is
kept and identifiers of the device or its user (deviceid, phonenumber, ...)
are dropped, since hailong collects none.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePath
from typing import Any

import openpyxl
import xlrd
from openpyxl.chartsheet import Chartsheet
from openpyxl.utils import get_column_letter

from surveys.questionnaire.csv_files import OTHER_EXTERNAL_FILES, read_csv_files
from surveys.questionnaire.errors import DefinitionError, ExpressionError, Problem
from surveys.questionnaire.expressions import NAME_PATTERN, parse
from surveys.questionnaire.model import (
    DEFAULT_LANGUAGE,
    DEFAULT_MAX_LENGTH,
    RUNTIME_CHOICE_SOURCES,
    Questionnaire,
)
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.xlsform_limits import (
    DEFAULT_LIMITS,
    OLE2_MAGIC,
    XLRD_ENCRYPTED,
    Limits,
    container_problem,
    encrypted_problem,
    rows_over_limit,
    size_problem,
)

SCORING_SHEET = "hailong_scoring"
#: Our own survey columns: ``hailong_type`` (``rating``), ``hailong_appearance``
#: and ``hailong_max_length``.
RATING_MARK = "rating"
#: Our own settings column: the title in every language (``form_title`` is ODK's
#: single title, read when the workbook has no title of ours).
TITLE_COLUMN = "hailong_form_title"
#: Our appearances that ODK does not know, with the nearest one it does; the
#: export writes ours in ``hailong_appearance``, which wins on import.
ODK_APPEARANCES = {"faces": "likert"}

#: The interview's timing, which a phone records by itself, with pyxform 4.5's
#: older names (question_type_dictionary.py): kept, filled in by the server
#: from the response's own times, or as an OpenRosa client sent them.
METADATA_TYPES = {
    "start": "start", "start time": "start", "get start time": "start",
    "end": "end", "end time": "end", "get end time": "end",
    "today": "today", "get today": "today",
}  # fmt: skip
#: Identifiers of the device or its user that a phone would record: dropped on
#: import, never asked for nor stored (answers are anonymous). What is asked
#: does not change, so the form loads, as pyxform would convert it.
NEVER_COLLECTED = frozenset(
    {
        "deviceid", "device id", "get device id", "imei", "uri:deviceid",
        "subscriberid", "subscriber id", "get subscriber id", "uri:subscriberid",
        "simserial", "sim id", "get sim id", "uri:simserial",
        "phonenumber", "get phone number", "uri:phonenumber",
        "username", "uri:username", "email", "uri:email",
    }
)  # fmt: skip
#: Recordings in the background, refused by name: they would record the
#: respondent without a question being asked.
REFUSED_METADATA = {
    "audit": "the audit log (audit) is not supported: it records timings and "
    "possibly locations in the background",
    "background-audio": "background audio recording (background-audio) is not "
    "supported",
    "start-geopoint": "recording the location when the form opens "
    "(start-geopoint) is not supported; ask a geopoint question instead",
    "background-geopoint": "recording the location in the background "
    "(background-geopoint) is not supported; ask a geopoint question instead",
}

#: The older type names pyxform 4.5 still accepts (its question_type_dictionary
#: and aliases), with our type and the constraint pyxform adds, if any.
TYPE_ALIASES: dict[str, tuple[str, str | None]] = {
    "string": ("text", None),
    "q string": ("text", None),
    "add text prompt": ("text", None),
    "phone number": ("text", "regex(., '^\\d*$')"),
    "int": ("integer", None),
    "q int": ("integer", None),
    "add integer prompt": ("integer", None),
    "percentage": ("integer", "0 <= . and . <= 100"),
    "number of days in last month": ("integer", "0 <= . and . <= 31"),
    "number of days in last six months": ("integer", "0 <= . and . <= 183"),
    "number of days in last year": ("integer", "0 <= . and . <= 365"),
    "q decimal": ("decimal", None),
    "add decimal prompt": ("decimal", None),
    "q date": ("date", None),
    "add date prompt": ("date", None),
    "q note": ("note", None),
    "add note prompt": ("note", None),
    "q calculate": ("calculate", None),
    "add calculate prompt": ("calculate", None),
    "date time": ("datetime", None),
    "q date time": ("datetime", None),
    "q datetime": ("datetime", None),
    "add date time prompt": ("datetime", None),
    "add datetime prompt": ("datetime", None),
    "gps": ("geopoint", None),
    "location": ("geopoint", None),
    "q geopoint": ("geopoint", None),
    "q location": ("geopoint", None),
    "add location prompt": ("geopoint", None),
}

#: Types we do not run, with the reason given to whoever imports the form.
REFUSED_TYPES = {
    "geotrace": "lines on a map (geotrace) are not supported; a geopoint is",
    "geoshape": "shapes on a map (geoshape) are not supported; a geopoint is",
    "q geotrace": "lines on a map (geotrace) are not supported; a geopoint is",
    "q geoshape": "shapes on a map (geoshape) are not supported; a geopoint is",
    "image": "media uploads are not supported",
    "photo": "media uploads are not supported",
    "audio": "media uploads are not supported",
    "video": "media uploads are not supported",
    "file": "media uploads are not supported",
    "barcode": "barcode scanning is not supported",
    "acknowledge": "acknowledge questions are not supported",
    "range": "range questions are not supported; use rating or integer",
    "rank": "rank questions are not supported",
    "begin loop": "loops (begin loop … end loop over a choice list) are not "
    "supported; write a begin repeat",
    "trigger": "trigger questions are not supported",
    "hidden": "hidden questions are not supported",
    "xml-external": "external XML instances are not supported; use a CSV file",
    "select_one_external": "external choices are not supported",
    "select_multiple_external": "external choices are not supported",
}

#: Columns whose meaning we cannot honour; refused when a row fills them in.
REFUSED_COLUMNS = {
    "read_only": "read-only questions are not supported",
    "trigger": "triggers are not supported",
    "image": "media in labels are not supported",
    "big-image": "media in labels are not supported",
    "audio": "media in labels are not supported",
    "video": "media in labels are not supported",
    "media": "media in labels are not supported",
    "bind": "custom bind attributes are not supported",
}

#: Header spellings read as ours; those after the first five are pyxform 4.5's
#: (aliases.survey_header, list_header and settings_header).
_HEADER_ALIASES = {
    "list name": "list_name",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "constraintmsg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "readonly": "read_only",
    "set_form_title": "form_title",
    "set_form_id": "form_id",
    "count": "repeat_count",
    "jr:count": "repeat_count",
}
_TRANSLATED = ("label", "hint", "required_message", "constraint_message")
_LANGUAGE_NAMES = {"english": "en", "tiếng việt": "vi", "vietnamese": "vi"}
#: Columns of the choices sheet that are not an option's data.
_CHOICE_COLUMNS = frozenset({"list_name", "name", *_TRANSLATED, *REFUSED_COLUMNS})
#: The ``parameters`` of a select from a file (pyxform's ParametersSelectFromFile).
FILE_PARAMETERS = {"value": "value_column", "label": "label_column"}
_PARAMETER = re.compile(r"([^\s=,;]+)=([^\s=,;]+)")
_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"no", "false", "false()", "0"})
_GROUP = re.compile(r"(begin|end)[ _](group|repeat|lgroup|looped group)")
#: pyxform's names of a repeat (aliases.control).
_REPEATS = frozenset({"repeat", "lgroup", "looped group"})
#: pyxform's other control (aliases.control): a loop over a choice list.
_LOOP = re.compile(r"(begin|end)[ _](loop)(?: .*)?")
#: The relative paths we run: ``../name``, ``../../name``, ``..`` in position().
_RELATIVE_PATH = re.compile(r"\.\.(?:/\.\.)*(?:/[A-Za-z_][A-Za-z0-9_.\-]*)?")
#: pyxform's spellings of the select types (aliases.select), with ours.
_SELECT_ALIASES = {
    "add select one prompt using": "select_one",
    "add select multiple prompt using": "select_multiple",
    "select all that apply from": "select_multiple",
    "select multiple from": "select_multiple",
    "select multiple using": "select_multiple",
    "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
    "select one external": "select_one_external",
    "select all that apply": "select_multiple",
    "select one using": "select_one",
    "select one from": "select_one",
    "select multiple": "select_multiple",
    "select one": "select_one",
    "select1": "select_one",
    "q select1": "select_one",
    "q select": "select_multiple",
}
_OLD_SELECT = re.compile(
    r"^("
    + "|".join(map(re.escape, sorted(_SELECT_ALIASES, key=len, reverse=True)))
    + r") (?=\S)"
)
_SELECT = re.compile(
    r"(select_one|select_multiple|select_one_from_file|select_multiple_from_file"
    r"|select_one_external|select_multiple_external|rank) (\S+)"
    r"( (?:or_other|or specify other|or other))?"
)
#: Expression columns, whose typographic quotes pyxform straightens
#: (parsing/sheet_headers.py, SMART_QUOTES).
_EXPRESSION_COLUMNS = (
    "relevant",
    "constraint",
    "calculation",
    "default",
    "required",
    "choice_filter",
    "repeat_count",
)
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_INSTANCE = re.compile(r"\binstance\s*\(")
#: The lookup shape that is run (``expressions.Lookup``), once string literals
#: are blanked: ``instance('')/root/item[...]/column``. Its slashes are no path.
_LOOKUP_STEPS = re.compile(r"(\binstance\s*\(\s*''\s*\))\s*/\s*root\s*/\s*item")
_LOOKUP_COLUMN = re.compile(r"\]\s*/\s*(?=[A-Za-z_])")
#: Instances and files an expression names: ``instance('x')``, ``pulldata('x'``.
_NAMED_INSTANCE = re.compile(r"\b(?:instance|pulldata)\s*\(\s*'([^']*)'")
_SMART_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def load_xlsform(
    path: str | Path,
    files: Mapping[str, bytes] | None = None,
    *,
    notices: list[Problem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Questionnaire:
    """Load an XLSForm workbook, reporting every problem by sheet, row and column.

    ``files`` are the CSV files uploaded beside it, by file name: the options
    of ``select_one_from_file`` and the rows ``pulldata`` and lookups read.
    ``notices``, if given, receives a Problem for each row dropped without
    changing what is asked (``NEVER_COLLECTED``), to tell whoever imports it.
    A workbook over one of ``limits`` is refused as soon as that is known,
    before or while it is read, never after reading it all.
    """
    path = Path(path)
    workbook = _open_workbook(path, limits)
    try:
        problems: list[Problem] = []
        reader = _Reader(path, read_csv_files(files or {}, problems), limits)
        reader.problems.extend(problems)
        data = reader.read(workbook)
    except _Unreadable as error:
        raise DefinitionError(str(path), [error.problem]) from None
    finally:
        workbook.close()
    try:
        questionnaire = build_questionnaire(
            data, source=str(path), locations=reader.locations
        )
    except DefinitionError as error:
        # A cell refused by feature needs no parser error besides.
        later = [p for p in error.problems if (p.where, p.field) not in reader.named]
        raise DefinitionError(str(path), reader.problems + later) from None
    if reader.problems:
        raise DefinitionError(str(path), reader.problems)
    if notices is not None:
        notices.extend(reader.dropped)
    return questionnaire


class _Unreadable(Exception):
    """A workbook whose reading stops: damaged, or over a limit."""

    def __init__(self, where: str, message: str, field: str = "(file)") -> None:
        super().__init__(message)
        self.problem = Problem(where, field, message)


def _open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Open an .xlsx with openpyxl, or a legacy .xls (told by its content) with xlrd.

    The bytes are read once and handed over, as openpyxl refuses a file by its
    extension alone: an .xls saved under an .xlsx name, or the other way round,
    still opens. The container is checked first (``container_problem``).
    """
    legacy = path.suffix.lower() == ".xls"
    try:
        refused = size_problem(path.stat().st_size, limits)
        data = b"" if refused else path.read_bytes()
    except OSError as error:
        raise _unreadable(path, legacy, error) from error
    if refused := refused or container_problem(data, limits):
        raise DefinitionError(str(path), [Problem("workbook", "(file)", refused)])
    legacy = data.startswith(OLE2_MAGIC)
    if legacy:
        try:
            return _XlsWorkbook(xlrd.open_workbook(file_contents=data))
        except Exception as error:
            # xlrd raises whatever a damaged compound file trips on
            # (XLRDError, CompDocError, struct.error, IndexError, ...).
            if str(error) == XLRD_ENCRYPTED:
                problem = Problem("workbook", "(file)", encrypted_problem())
                raise DefinitionError(str(path), [problem]) from error
            raise _unreadable(path, legacy, error) from error
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook styles and unknown document
            # properties that do not affect the cells we read.
            warnings.simplefilter("ignore", UserWarning)
            views = (True, False) if _has_formulas(data) else (True,)
            return _XlsxWorkbook(
                *(
                    openpyxl.load_workbook(
                        io.BytesIO(data), read_only=True, data_only=data_only
                    )
                    for data_only in views
                )
            )
    except Exception as error:
        # openpyxl raises whatever a damaged archive or its XML trips on
        # (BadZipFile, KeyError, ParseError, ValueError, TypeError, ...).
        raise _unreadable(path, legacy, error) from error


#: A formula element in a worksheet's XML, with or without a namespace prefix.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Tell whether any worksheet of an .xlsx holds a formula, without parsing it.

    Only then is the workbook read a second time for its formulas, which
    doubles the time of a read. Each sheet is scanned a megabyte at a time,
    so a sheet of a million rows is never held whole in memory.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                continue
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(1024 * 1024):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _unreadable(path: Path, legacy: bool, error: Exception) -> DefinitionError:
    kind = ".xls" if legacy else ".xlsx"
    problem = Problem("workbook", "(file)", f"not a readable {kind} file: {error}")
    return DefinitionError(str(path), [problem])


class _XlsxWorkbook:
    """An openpyxl workbook read twice in step: saved values, and the formulas.

    Cells hold what the spreadsheet last computed, as pyxform reads them
    (``data_only``); a formula cell never computed (a workbook written by a
    program, not saved by a spreadsheet) has no value to read, and comes out
    as a ``_Formula`` for the reader to refuse, rather than as an empty cell.
    """

    def __init__(self, values: Any, formulas: Any = None) -> None:
        self.values = values
        #: The formulas, when a worksheet has any (see ``_has_formulas``).
        self.formulas = formulas
        self.sheetnames = values.sheetnames

    def __getitem__(self, name: str) -> _XlsxSheet:
        sheet = self.values[name]
        if isinstance(sheet, Chartsheet):
            raise _Unreadable(
                f"sheet '{name}'", f"sheet '{name}' is a chart, not a table of rows"
            )
        formulas = None if self.formulas is None else self.formulas[name]
        # Many sheets declare a million rows and a thousand columns they do
        # not have: read the rows the sheet holds, not the ones it declares.
        for view in (sheet, formulas):
            if view is not None:
                view.reset_dimensions()
        return _XlsxSheet(sheet, formulas)

    def close(self) -> None:
        self.values.close()
        if self.formulas is not None:
            self.formulas.close()


@dataclass(frozen=True)
class _Formula:
    """A formula cell with no saved value."""

    text: str


@dataclass
class _XlsxSheet:
    values: Any
    formulas: Any

    @property
    def title(self) -> str:
        return str(self.values.title)

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        if self.formulas is None:
            yield from self.values.iter_rows(values_only=True)
            return
        pairs = zip(
            self.values.iter_rows(values_only=True),
            self.formulas.iter_rows(values_only=True),
            strict=True,
        )
        for values, formulas in pairs:
            yield tuple(
                _Formula(str(getattr(formula, "text", formula)))
                if value is None and formula is not None
                else value
                for value, formula in zip(values, formulas, strict=False)
            )


class _XlsWorkbook:
    """An xlrd book seen through the few openpyxl calls the reader makes.

    Cells come out as openpyxl gives them (dates as datetimes, booleans as
    bools, empty cells as None), so both formats share one parser.
    """

    def __init__(self, book: xlrd.book.Book) -> None:
        self.book = book
        self.sheetnames = book.sheet_names()

    def __getitem__(self, name: str) -> _XlsSheet:
        return _XlsSheet(self.book.sheet_by_name(name), self.book.datemode)

    def close(self) -> None:
        self.book.release_resources()


@dataclass
class _XlsSheet:
    sheet: Any
    datemode: int

    @property
    def title(self) -> str:
        return str(self.sheet.name)

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        for number in range(self.sheet.nrows):
            yield tuple(map(self._value, self.sheet.row(number)))

    def _value(self, cell: Any) -> Any:
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, self.datemode)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value)
        return cell.value


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, str]

    @property
    def where(self) -> str:
        return f"sheet '{self.sheet}', row {self.number}"


@dataclass
class _Sheet:
    name: str
    headers: list[str]
    rows: list[_Row] = field(default_factory=list)
    #: Each header as the workbook spells it: the choices sheet's own columns
    #: keep their case, as pyxform writes them and as filters name them.
    spelled: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(
        self, path: Path, files: dict[str, dict[str, Any]], limits: Limits
    ) -> None:
        self.path = path
        #: The CSV files uploaded beside the form, in the dict form.
        self.files = files
        #: Instances expressions name (choice lists, or files without .csv).
        self.instances_named: set[str] = set()
        self.limits = limits
        self.problems: list[Problem] = []
        self.locations: dict[int, str] = {}
        #: Lists of the ``… or_other`` selects, by id of their row.
        self.or_other: dict[int, str] = {}
        #: Rows dropped without changing what is asked (``NEVER_COLLECTED``).
        self.dropped: list[Problem] = []
        #: (row, column) of expressions refused for a feature named already.
        self.named: set[tuple[str, str]] = set()
        self.default_language = DEFAULT_LANGUAGE

    def problem(self, where: str, field: str, message: str) -> None:
        self.problems.append(Problem(where, field, message))

    def locate(self, data: dict[str, Any], row: _Row) -> dict[str, Any]:
        self.locations[id(data)] = row.where
        return data

    def sheet(self, worksheet: Any, row_limit: int) -> _Sheet:
        """Read a sheet's rows with content; stop at the first one over the limit."""
        rows = _library_rows(worksheet)
        header_row = next(rows, ())
        headers = [_header(cell) for cell in header_row]
        columns = [(index, header) for index, header in enumerate(headers) if header]
        sheet = _Sheet(worksheet.title, [header for _, header in columns])
        sheet.spelled = {
            header: str(header_row[index]).strip() for index, header in columns
        }
        for number, values in enumerate(rows, start=2):
            # Sheets often declare a million rows; skip the empty ones cheaply.
            if not any(values):
                continue
            row = _Row(worksheet.title, number, {})
            for index, header in columns:
                if index < len(values) and values[index] is not None:
                    text = self.cell_text(row, index, header, values[index])
                    if text is not None:
                        row.cells[header] = text
            if row.cells:
                if len(sheet.rows) == row_limit:
                    raise _Unreadable(
                        f"sheet '{sheet.name}'", rows_over_limit(sheet.name, row_limit)
                    )
                sheet.rows.append(row)
        return sheet

    def cell_text(self, row: _Row, index: int, header: str, value: Any) -> str | None:
        """Read a cell as text; refuse a formula never computed, or an endless text."""
        cell = f"{get_column_letter(index + 1)}{row.number}"
        if isinstance(value, _Formula):
            self.problem(
                row.where,
                header,
                f"cell {cell} holds the formula {value.text!r} with no saved "
                "value: open the workbook in Excel or LibreOffice and save it, "
                "or type the value itself",
            )
            return None
        text = _text(value)
        if text is not None and len(text) > self.limits.cell_characters:
            self.problem(
                row.where,
                header,
                f"cell {cell} has {len(text):,} characters, over the limit of "
                f"{self.limits.cell_characters:,}",
            )
            return None
        return text

    def read(self, workbook: Any) -> dict[str, Any]:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        if "survey" not in sheets:
            raise _Unreadable("workbook", "no sheet named 'survey'", "survey")
        settings = self.settings(workbook, sheets)
        survey = self.sheet(workbook[sheets["survey"]], self.limits.survey_rows)
        choices = (
            self.sheet(workbook[sheets["choices"]], self.limits.choice_rows)
            if "choices" in sheets
            else None
        )
        scoring = (
            self.sheet(workbook[sheets[SCORING_SHEET]], self.limits.survey_rows)
            if SCORING_SHEET in sheets
            else None
        )
        languages = self.languages(
            [survey, *(s for s in (choices, scoring) if s)], settings
        )
        items = self.items(survey)
        used_lists = {q["choices"] for q in _questions(items) if "choices" in q}
        used_lists |= self.instances_named
        data: dict[str, Any] = {
            "key": settings.get("form_id") or self.path.stem,
            "version": settings.get("version", "1"),
            "title": self.translations(settings, TITLE_COLUMN)
            or self.translations(settings, "form_title")
            or {languages[0]: settings.get("form_id") or self.path.stem},
            "languages": languages,
            "questions": items,
        }
        if choices is not None:
            data["choices"] = self.choices(choices, used_lists)
        elif used_lists:
            self.problem(
                "workbook", "choices", "select questions need a 'choices' sheet"
            )
        if scoring is not None:
            data["scoring"] = self.scoring(scoring)
        if self.files:
            data["files"] = self.files
        return data

    # --- settings and languages ---------------------------------------------

    def settings(self, workbook: Any, sheets: dict[str, str]) -> dict[str, str]:
        if "settings" not in sheets:
            return {}
        sheet = self.sheet(workbook[sheets["settings"]], self.limits.survey_rows)
        settings = sheet.rows[0].cells if sheet.rows else {}
        if "default_language" in settings:
            self.default_language = language_code(settings["default_language"])
        return settings

    def languages(self, sheets: list[_Sheet], settings: dict[str, str]) -> list[str]:
        found: list[str] = []
        headers = [h for sheet in sheets for h in sheet.headers] + list(settings)
        for header in headers:
            base, _, language = header.partition("::")
            if base in (*_TRANSLATED, "form_title", TITLE_COLUMN):
                code = language_code(language) if language else self.default_language
                if code not in found:
                    found.append(code)
        if self.default_language in found:
            found.remove(self.default_language)
        return [self.default_language, *found]

    def translations(self, cells: dict[str, str], base: str) -> dict[str, str]:
        texts = {}
        for header, value in cells.items():
            name, _, language = header.partition("::")
            if name == base:
                code = language_code(language) if language else self.default_language
                texts[code] = value
        return texts

    # --- survey ----------------------------------------------------------------

    def items(self, survey: _Sheet) -> list[dict[str, Any]]:
        top: list[dict[str, Any]] = []
        stack: list[tuple[str, list[dict[str, Any]], _Row]] = []
        for row in survey.rows:
            self.refused_columns(row)
            kind = " ".join(row.cells.get("type", "").split())
            kind = _OLD_SELECT.sub(lambda m: _SELECT_ALIASES[m.group(1)] + " ", kind)
            group = _GROUP.fullmatch(kind.lower())
            current = stack[-1][1] if stack else top
            if group and group.group(1) == "begin":
                if len(stack) == self.limits.group_depth:
                    raise _Unreadable(
                        row.where,
                        f"groups nest more than {self.limits.group_depth} deep, "
                        "the limit",
                        "type",
                    )
                section = self.locate(self.section(row, group[2] in _REPEATS), row)
                current.append(section)
                stack.append((group.group(2), section["questions"], row))
            elif group:
                if not stack or stack[-1][0] != group.group(2):
                    self.problem(row.where, "type", f"'{kind}' closes nothing open")
                else:
                    stack.pop()
                    if not current:
                        # pyxform accepts an empty group; it holds nothing to ask.
                        (stack[-1][1] if stack else top).pop()
            elif (loop := _LOOP.fullmatch(kind.lower())) and loop[1] == "begin":
                reason = REFUSED_TYPES["begin loop"]
                self.problem(row.where, "type", f"'{kind}': {reason}")
                stack.append((loop[2], [], row))  # its rows are checked, not kept
            elif loop:
                if not stack or stack[-1][0] != loop[2]:
                    self.problem(row.where, "type", f"'{kind}' closes nothing open")
                else:
                    stack.pop()
            elif kind:
                question = self.question(row, kind)
                if question is not None:
                    current.append(self.locate(question, row))
                if question is not None and id(row) in self.or_other:
                    current.append(self.locate(_specify_other(question), row))
            elif any(key != "type" for key in row.cells):
                self.problem(row.where, "type", "a row with content needs a type")
        for opened, _, row in stack:
            self.problem(row.where, "type", f"this {opened} is never ended")
        return top

    def refused_columns(self, row: _Row) -> None:
        for header, value in row.cells.items():
            base = header.split("::")[0]
            reason = REFUSED_COLUMNS.get(base)
            if reason and not (base == "read_only" and value.lower() in _FALSE):
                self.problem(row.where, header, f"{reason} ({value!r})")

    def refused_paths(self, row: _Row, column: str) -> None:
        """Name the XPath features we do not run, before the parser trips on them.

        Outside string literals ``/`` only ever starts or continues a path in
        XPath (division is ``div``), so any ``/`` is a path or a lookup.
        """
        code = _STRING_LITERAL.sub("''", row.cells[column])
        code = _LOOKUP_COLUMN.sub("]", _LOOKUP_STEPS.sub(r"\1", code))
        code = _RELATIVE_PATH.sub("..", code)
        if "/" in code:
            self.named.add((row.where, column))
        else:
            self.instances_named.update(_NAMED_INSTANCE.findall(row.cells[column]))
        if "/" in code and _INSTANCE.search(code):
            self.problem(
                row.where,
                column,
                "only lookups of one column, instance('list')/root/item[…]/column, "
                f"are supported: {row.cells[column]!r}",
            )
        elif "/" in code:
            self.problem(
                row.where,
                column,
                "XPath paths (/data/name, ../group/name) are not supported; "
                "refer to a question as ${name} (or ../name for one beside "
                f"it): {row.cells[column]!r}",
            )

    def common(self, row: _Row) -> dict[str, Any]:
        data: dict[str, Any] = {"name": row.cells.get("name")}
        for base in _TRANSLATED:
            if texts := self.translations(row.cells, base):
                data[base] = texts
        for column in _EXPRESSION_COLUMNS:
            if column in row.cells:
                row.cells[column] = row.cells[column].translate(_SMART_QUOTES)
                self.refused_paths(row, column)
        for key in ("relevant", "appearance"):
            if key in row.cells:
                data[key] = row.cells[key]
        if "hailong_appearance" in row.cells:
            data["appearance"] = row.cells["hailong_appearance"]
        return data

    def section(self, row: _Row, repeat: bool) -> dict[str, Any]:
        data = self.common(row)
        data.update(type="repeat" if repeat else "section", questions=[])
        if repeat and "repeat_count" in row.cells:
            data["repeat_count"] = row.cells["repeat_count"]
        if repeat and "label" not in data:
            # pyxform warns; the name stands in for the heading of each row.
            data["label"] = {self.default_language: row.cells.get("name", "")}
        if not repeat and "repeat_count" in row.cells:
            self.problem(row.where, "repeat_count", "only a repeat has a count")
        for key in ("required_message", "constraint_message"):
            data.pop(key, None)
        for column in ("constraint", "calculation", "default", "hailong_type"):
            if column in row.cells:
                self.problem(row.where, column, "not supported on a group")
        return data

    def question(self, row: _Row, kind: str) -> dict[str, Any] | None:
        lowered = kind.lower()
        if lowered in NEVER_COLLECTED:
            message = f"'{kind}' identifies the device or its user: never collected"
            self.dropped.append(Problem(row.where, "type", message))
            return None
        if lowered in REFUSED_METADATA:
            self.problem(row.where, "type", f"'{kind}': {REFUSED_METADATA[lowered]}")
            return None
        if lowered in METADATA_TYPES:
            return {"name": row.cells.get("name"), "type": METADATA_TYPES[lowered]}
        if lowered == "csv-external":
            # It only declares a file as an instance for lookups and pulldata.
            name = row.cells.get("name", "")
            if f"{name}.csv" not in self.files:
                self.problem(row.where, "name", _not_uploaded(f"{name}.csv"))
            return None
        if "repeat_count" in row.cells:
            self.problem(row.where, "repeat_count", "only a repeat has a count")
        data = self.common(row)
        if data["name"] is None and lowered == "note":
            # pyxform names an unnamed note by its row (xls2json.py).
            data["name"] = f"generated_note_name_{row.number}"
        if "label" not in data and lowered != "calculate":
            # pyxform only warns; the name stands in for the label.
            data["label"] = {self.default_language: row.cells.get("name", "")}
        alias = TYPE_ALIASES.get(lowered)
        if alias:
            lowered, implied = alias
            if implied and "constraint" not in row.cells:
                row.cells["constraint"] = implied
        select = _SELECT.fullmatch(kind)
        if select:
            select_type, list_name, or_other = select.groups()
            if or_other and "choice_filter" in row.cells:
                # As pyxform: the added "other" has no columns to filter on.
                self.problem(
                    row.where,
                    "choice_filter",
                    "a choice_filter cannot go with or_other",
                )
            if or_other and select_type in ("select_one", "select_multiple"):
                self.or_other[id(row)] = list_name
            elif or_other:
                self.problem(
                    row.where,
                    "type",
                    f"'{or_other.strip()}' (an 'other' option with a text box) "
                    f"is not supported on {select_type}",
                )
            if select_type in REFUSED_TYPES:
                self.problem(row.where, "type", REFUSED_TYPES[select_type])
                return None
            if select_type.endswith("_from_file"):
                if not self.file_choices(row, list_name, data):
                    return None
                select_type = select_type.removesuffix("_from_file")
            else:
                data["choices"] = list_name
            data["type"] = select_type
        elif lowered in REFUSED_TYPES:
            self.problem(row.where, "type", f"'{kind}': {REFUSED_TYPES[lowered]}")
            return None
        else:
            data["type"] = lowered
        mark = row.cells.get("hailong_type")
        if mark is not None and mark != RATING_MARK:
            self.problem(row.where, "hailong_type", f"only {RATING_MARK!r} is known")
        if mark == RATING_MARK:
            if data["type"] != "select_one" or "choices" not in data:
                self.problem(row.where, "hailong_type", "a rating is a select_one")
            data["type"] = RATING_MARK
            data.pop("choices", None)
        if "parameters" in row.cells and "choices_file" not in data:
            self.problem(
                row.where,
                "parameters",
                "question parameters are not supported, but value= and label= "
                f"on a select from a file ({row.cells['parameters']!r})",
            )
        for key in ("constraint", "calculation", "default", "choice_filter"):
            if key in row.cells:
                data[key] = row.cells[key]
        if "required" in row.cells:
            data["required"] = self.flag(row, "required")
        if "hailong_max_length" in row.cells:
            data["max_length"] = _number(row.cells["hailong_max_length"])
        if data["type"] == "text" and "constraint" in data:
            limit = row.cells.get("hailong_max_length", DEFAULT_MAX_LENGTH)
            constraint = _without_length_clause(data.pop("constraint"), limit)
            if constraint is not None:
                data["constraint"] = constraint
        return data

    def file_choices(self, row: _Row, file_name: str, data: dict[str, Any]) -> bool:
        """Point a select from a file at its uploaded CSV, or at a run-time list.

        ``officials.csv``, unless uploaded, is the run-time list of the
        counter's officials that the export writes that way.
        """
        suffix = PurePath(file_name).suffix.lower()
        if suffix in OTHER_EXTERNAL_FILES:
            feature = OTHER_EXTERNAL_FILES[suffix]
            self.problem(
                row.where,
                "type",
                f"choices from {feature} files ({file_name!r}) are not supported; "
                "use a CSV file",
            )
            return False
        source = file_name.removesuffix(".csv")
        if file_name not in self.files and source in RUNTIME_CHOICE_SOURCES:
            data["choices_from"] = source
            return True
        if file_name not in self.files:
            self.problem(row.where, "type", _not_uploaded(file_name))
            return False
        data["choices_file"] = file_name
        parameters = row.cells.get("parameters", "")
        pairs = dict(
            (key.lower(), value) for key, value in _PARAMETER.findall(parameters)
        )
        for key, value in pairs.items():
            if key not in FILE_PARAMETERS:
                self.problem(
                    row.where,
                    "parameters",
                    f"only value= and label= are supported on a select from a "
                    f"file, not {key}=",
                )
            elif not NAME_PATTERN.fullmatch(value):
                self.problem(row.where, "parameters", f"{value!r} is not a column name")
            else:
                data[FILE_PARAMETERS[key]] = value
        return True

    def flag(self, row: _Row, column: str) -> bool:
        value = row.cells[column].lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.problem(
                row.where, column, f"only yes or no is supported, not {value!r}"
            )
        return False

    # --- choices and scoring ---------------------------------------------------

    def choices(
        self, sheet: _Sheet, used_lists: set[str]
    ) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        too_long: set[str] = set()
        for row in sheet.rows:
            list_name = row.cells.get("list_name")
            if list_name is None:
                self.problem(row.where, "list_name", "an option needs a list name")
                continue
            if list_name not in used_lists:
                continue
            self.refused_columns(row)
            option: dict[str, Any] = {"name": row.cells.get("name")}
            # pyxform only warns of a choice without a label; its name stands
            # in, as for a question without one.
            option["label"] = self.translations(row.cells, "label") or {
                self.default_language: row.cells.get("name", "")
            }
            columns = {
                sheet.spelled[header]: value
                for header, value in row.cells.items()
                if header.split("::")[0] not in _CHOICE_COLUMNS
                and NAME_PATTERN.fullmatch(sheet.spelled[header])
            }
            if columns:
                option["data"] = columns
            options = lists.setdefault(list_name, [])
            if len(options) < self.limits.list_options:
                options.append(self.locate(option, row))
            elif list_name not in too_long:
                too_long.add(list_name)
                self.problem(
                    row.where,
                    "list_name",
                    f"list {list_name!r} has more than "
                    f"{self.limits.list_options:,} options, the limit",
                )
        for list_name in set(self.or_other.values()) & set(lists):
            _add_other_choice(lists[list_name], self.default_language)
        return lists

    def scoring(self, sheet: _Sheet) -> dict[str, Any]:
        scoring: dict[str, Any] = {"dimensions": []}
        for row in sheet.rows:
            cells = row.cells
            label = self.translations(cells, "label")
            if cells.get("type") == "index":
                self.locate(scoring, row)
                scoring["aggregation"] = cells.get("aggregation")
                scoring["item_scale"] = _pair(cells, "item_min", "item_max")
                scoring["dimension_scale"] = _pair(
                    cells, "dimension_min", "dimension_max"
                )
                if "satisfied_min" in cells:
                    scoring["satisfied_min"] = _number(cells["satisfied_min"])
                scoring["index"] = self.locate(
                    {
                        "name": cells.get("name"),
                        "label": label,
                        "method": cells.get("method"),
                        "scale": _pair(cells, "min", "max"),
                    },
                    row,
                )
            elif cells.get("type") == "dimension":
                dimension = {
                    "name": cells.get("name"),
                    "label": label,
                    "items": cells.get("items", "").split(),
                    "reverse": cells.get("reverse", "").split(),
                    "weight": _number(cells.get("weight", "1")),
                }
                scoring["dimensions"].append(self.locate(dimension, row))
            else:
                self.problem(row.where, "type", "must be 'index' or 'dimension'")
        return scoring


def _not_uploaded(file_name: str) -> str:
    return (
        f"the file {file_name!r} was not uploaded with the form; "
        "upload it beside the workbook"
    )


def _specify_other(select: dict[str, Any]) -> dict[str, Any]:
    """Write the text question pyxform adds after a ``… or_other`` select.

    Its name, label and relevance are pyxform 4.5's (xls2json.py): ``NAME_other``,
    "Specify other.", shown when the choice ``other`` is selected.
    """
    return {
        "name": f"{select['name']}_other",
        "type": "text",
        "label": {language: "Specify other." for language in select["label"]},
        "relevant": f"selected(${{{select['name']}}}, 'other')",
    }


def _add_other_choice(options: list[dict[str, Any]], default_language: str) -> None:
    """Append pyxform's ``other`` choice, labelled "Other" in each language."""
    if any(option.get("name") == "other" for option in options):
        return
    languages = {code for option in options for code in option.get("label", {})}
    options.append(
        {
            "name": "other",
            "label": dict.fromkeys(languages or {default_language}, "Other"),
        }
    )


def length_clause(limit: object) -> str:
    """Write a text's length limit as the ODK constraint that enforces it."""
    return f"string-length(.) <= {limit}"


def _without_length_clause(constraint: str, limit: object) -> str | None:
    """Take back the length clause the export added to a text's constraint.

    The export writes ``string-length(.) <= N`` alone or ``(C) and`` it; the
    limit itself travels in ``hailong_max_length`` (or is the default one), so
    the clause says nothing more. Any other constraint is kept as written.
    """
    clause = length_clause(limit)
    if constraint == clause:
        return None
    suffix = f") and {clause}"
    if not (constraint.startswith("(") and constraint.endswith(suffix)):
        return constraint
    inner = constraint[1 : -len(suffix)]
    try:
        parse(inner)
    except ExpressionError:
        return constraint  # e.g. "(a) or (b) and ...": the brackets are not one
    return inner


def language_code(header_language: str) -> str:
    """Turn ``Tiếng Việt (vi)`` or ``English`` into a code; keep other names."""
    language = header_language.strip()
    code = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)$", language)
    if code:
        return code.group(1).lower()
    return _LANGUAGE_NAMES.get(language.casefold(), language)


def _library_rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    """Yield a worksheet's rows, a damaged sheet's XML refused as unreadable."""
    rows = worksheet.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:
            # A sheet's XML can be cut short or malformed inside a sound archive;
            # the parser raises what it trips on (ParseError, ValueError, ...).
            name = worksheet.title
            raise _Unreadable(
                f"sheet '{name}'",
                f"not a readable .xlsx file: sheet '{name}' is damaged ({error})",
            ) from error
        yield values


def _header(cell: Any) -> str:
    if cell is None:
        return ""
    base, separator, language = str(cell).strip().partition("::")
    base = base.strip().lower()
    return _HEADER_ALIASES.get(base, base) + separator + language.strip()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip() or None


def _number(text: str) -> float | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _pair(cells: dict[str, str], low: str, high: str) -> list[float | str | None]:
    return [_number(cells[key]) if key in cells else None for key in (low, high)]


def _questions(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if item.get("type") in ("section", "repeat"):
            yield from _questions(item["questions"])
        else:
            yield item
