"""Load a definition file by its extension."""

from __future__ import annotations

from pathlib import Path

from surveys.questionnaire.errors import DefinitionError, Problem
from surveys.questionnaire.model import Questionnaire
from surveys.questionnaire.xlsform_reader import load_xlsform
from surveys.questionnaire.yaml_format import load_json, load_yaml

_LOADERS = {
    ".yaml": load_yaml,
    ".yml": load_yaml,
    ".json": load_json,
    ".xlsx": load_xlsform,
}


def load_definition(path: str | Path) -> Questionnaire:
    """Load a questionnaire from YAML, JSON or XLSForm; raise DefinitionError."""
    path = Path(path)
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(_LOADERS)
        problem = Problem("file name", "extension", f"expected one of {known}")
        raise DefinitionError(str(path), [problem])
    if not path.is_file():
        raise DefinitionError(str(path), [Problem("file", "(file)", "no such file")])
    return loader(path)
