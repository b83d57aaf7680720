"""Our own definition format: the canonical dict form written as YAML (or JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from surveys.questionnaire.csv_files import with_files
from surveys.questionnaire.errors import DefinitionError, Problem
from surveys.questionnaire.model import Questionnaire
from surveys.questionnaire.schema import build_questionnaire


def load_yaml(
    path: str | Path, files: Mapping[str, bytes] | None = None
) -> Questionnaire:
    """Load a YAML definition, reporting syntax errors by line and column.

    ``files`` are CSV files uploaded beside it, added to those it carries.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = Problem(where, "(syntax)", str(error.problem or error))
        raise DefinitionError(str(path), [problem]) from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problem = Problem("file", "(syntax)", str(error))
        raise DefinitionError(str(path), [problem]) from error
    data = with_files(data, files or {}, str(path))
    return build_questionnaire(data, source=str(path))


def load_json(
    path: str | Path, files: Mapping[str, bytes] | None = None
) -> Questionnaire:
    """Load a definition stored as JSON, e.g. the ``definition`` column of a version."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        problem = Problem(where, "(syntax)", error.msg)
        raise DefinitionError(str(path), [problem]) from error
    except UnicodeDecodeError as error:
        problem = Problem("file", "(syntax)", str(error))
        raise DefinitionError(str(path), [problem]) from error
    data = with_files(data, files or {}, str(path))
    return build_questionnaire(data, source=str(path))


def dump_yaml(questionnaire: Questionnaire) -> str:
    """Write a questionnaire in the YAML format, e.g. to edit an imported XLSForm."""
    return yaml.safe_dump(
        questionnaire.to_dict(), allow_unicode=True, sort_keys=False, width=88
    )
