"""Load a definition file by its extension."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

from surveys.questionnaire.errors import DefinitionError, Problem
from surveys.questionnaire.model import Questionnaire

#: Each extension's reader as (module, function), imported when a file is read:
#: the workbook reader brings openpyxl, and numpy with it, which a web process
#: should not load before someone uploads a workbook.
_LOADERS = {
    ".yaml": ("surveys.questionnaire.yaml_format", "load_yaml"),
    ".yml": ("surveys.questionnaire.yaml_format", "load_yaml"),
    ".json": ("surveys.questionnaire.yaml_format", "load_json"),
    ".xlsx": ("surveys.questionnaire.xlsform_reader", "load_xlsform"),
    ".xls": ("surveys.questionnaire.xlsform_reader", "load_xlsform"),
}


def load_definition(
    path: str | Path,
    files: Mapping[str, bytes] | None = None,
    *,
    notices: list[Problem] | None = None,
) -> Questionnaire:
    """Load a questionnaire from YAML, JSON or XLSForm; raise DefinitionError.

    ``files`` are the CSV files uploaded beside it, by file name (``wards.csv``).
    ``notices`` receives what a workbook had that was dropped without changing
    what is asked (``xlsform_reader.load_xlsform``).
    """
    path = Path(path)
    reader = _LOADERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(_LOADERS)
        problem = Problem("file name", "extension", f"expected one of {known}")
        raise DefinitionError(str(path), [problem])
    if not path.is_file():
        raise DefinitionError(str(path), [Problem("file", "(file)", "no such file")])
    module, function = reader
    load = getattr(importlib.import_module(module), function)
    if notices is not None and function == "load_xlsform":
        return load(path, files, notices=notices)
    return load(path, files)
