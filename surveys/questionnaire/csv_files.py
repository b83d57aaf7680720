"""Read the CSV files uploaded beside a form (``select_one_from_file``, ``pulldata``).

ODK reads such a file as UTF-8 with a header row; hailong keeps it inside the
definition (``Questionnaire.files``), so a file is checked once, here, and
refused as a whole with a clear reason rather than half read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from surveys.questionnaire.errors import DefinitionError, Problem
from surveys.questionnaire.expressions import NAME_PATTERN

#: Largest CSV file accepted beside a form, and most rows: the rows travel in
#: the definition, which every page of the survey reads.
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 20_000
#: External files ODK knows that hailong does not read, with the feature's name.
OTHER_EXTERNAL_FILES = {".xml": "XML", ".geojson": "GeoJSON"}


def read_csv_files(
    files: Mapping[str, bytes], problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    """Read every uploaded file into the dict form ``{columns, rows}``.

    Problems are added to ``problems``, one per refused file, naming it.
    """
    tables = {}
    for name, data in files.items():
        table = _read_csv(name, data, problems)
        if table is not None:
            tables[PurePath(name).name] = table
    return tables


def with_files(data: Any, files: Mapping[str, bytes], source: str) -> Any:
    """Add uploaded files to a definition's dict form, or raise DefinitionError."""
    if not files or not isinstance(data, dict):
        return data
    problems: list[Problem] = []
    tables = read_csv_files(files, problems)
    carried = data.get("files") or {}
    for name in sorted(tables.keys() & set(carried)):
        problems.append(
            Problem(f"file '{name}'", "(file)", "the definition carries it already")
        )
    if problems:
        raise DefinitionError(source, problems)
    return {**data, "files": {**carried, **tables}}


def _read_csv(name: str, data: bytes, problems: list[Problem]) -> dict[str, Any] | None:
    where = f"file '{name}'"

    def refuse(message: str) -> None:
        problems.append(Problem(where, "(file)", message))

    suffix = PurePath(name).suffix.lower()
    if suffix in OTHER_EXTERNAL_FILES:
        refuse(f"{OTHER_EXTERNAL_FILES[suffix]} files are not supported; use a CSV")
        return None
    if suffix != ".csv":
        refuse("only .csv files can be uploaded beside a form")
        return None
    if len(data) > MAX_FILE_BYTES:
        refuse(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(f"not UTF-8 text (byte {error.start + 1}); save it as 'CSV UTF-8'")
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        refuse(f"not a readable CSV: {error}")
        return None
    numbered = [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any(cell.strip() for cell in row)
    ]
    if not numbered:
        refuse("the file is empty: it needs a header row")
        return None
    (_, header), *body = numbered
    columns = [cell.strip() for cell in header]
    bad = [c for c in columns if not NAME_PATTERN.fullmatch(c)]
    if bad:
        refuse(f"column names must be names (letters, digits, _): {bad}")
        return None
    if len(set(columns)) != len(columns):
        refuse(f"a column is named twice: {columns}")
        return None
    if len(body) > MAX_ROWS:
        refuse(f"more than {MAX_ROWS} rows")
        return None
    for number, row in body:
        if len(row) != len(columns):
            refuse(f"row {number} has {len(row)} cells, the header {len(columns)}")
            return None
    return {
        "columns": columns,
        "rows": [[cell.strip() for cell in row] for _, row in body],
    }
