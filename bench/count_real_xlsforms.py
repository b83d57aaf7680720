"""Count the real XLSForms that pyxform converts and hailong loads; tabulate why not.

Run by hand (never in CI), from the repository root::

    .venv/bin/python bench/count_real_xlsforms.py [-v] [--markdown] [DIR ...]

Every ``.xlsx`` and ``.xls`` under each DIR (default ``../shared/data/xlsform``) is
read once per distinct content. A workbook counts when pyxform 4.5 converts it
(``convert(validate=False)``, the converter ODK and KoboToolbox use): those are
the real forms, the denominator. Of them, the script counts how many hailong
loads, and for the others which features refuse them: each problem is reduced
to the feature it names (a type, a column, or its message with names and
numbers blanked), and the table says in how many forms each feature occurs and
in how many it is the only reason, i.e. what accepting it would gain.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyxform.xls2xform import convert  # noqa: E402

import surveys  # noqa: E402
from surveys.questionnaire import DefinitionError, Problem  # noqa: E402
from surveys.questionnaire.xlsform_reader import REFUSED_COLUMNS  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "xlsform"
_QUOTED_TYPE = re.compile(r"^'((?:begin|end) \w+|[^' ]+)[^']*': ")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_REFERENCE = re.compile(r"\$\{[^}]*\}")
_NUMBER = re.compile(r"\d+")


def feature(problem: Problem) -> str:
    """Reduce a problem to the feature it names, the same across forms."""
    base = problem.field.split("::")[0]
    if base in REFUSED_COLUMNS:
        return f"column {base}"
    typed = _QUOTED_TYPE.match(problem.message)
    if problem.field == "type" and typed:
        return f"type {typed[1].lower()}"
    message = _QUOTED.sub("'…'", problem.message)
    message = _NUMBER.sub("N", _REFERENCE.sub("${…}", message))
    return f"{problem.field}: {message[:90]}"


def workbooks(folders: list[Path]) -> dict[str, Path]:
    """Find every workbook under the folders, one path per distinct content."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in (".xlsx", ".xls") and path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found.setdefault(digest, path)
    return found


def pyxform_converts(path: Path) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            convert(xlsform=str(path), validate=False)
        except Exception:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT_DIR])
    parser.add_argument("-v", "--verbose", action="store_true", help="every problem")
    parser.add_argument("--markdown", action="store_true", help="tables as Markdown")
    arguments = parser.parse_args()
    paths = workbooks(arguments.folders)
    real = loaded = 0
    occurs: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    for path in paths.values():
        if not pyxform_converts(path):
            print(f"skipped {path} (pyxform refuses it)")
            continue
        real += 1
        try:
            surveys.load_definition(path)
        except DefinitionError as error:
            features = {feature(problem) for problem in error.problems}
            occurs.update(features)
            if len(features) == 1:
                alone.update(features)
            print(f"refused {path}: {len(error.problems)} problems")
            for problem in error.problems if arguments.verbose else ():
                print(f"    {problem}")
        else:
            loaded += 1
            print(f"loads   {path}")
    print(
        f"\n{len(paths)} distinct workbooks; pyxform converts {real}; "
        f"hailong loads {loaded} of those {real}\n"
    )
    rows = sorted(occurs, key=lambda f: (-occurs[f], -alone[f], f))
    if arguments.markdown:
        print("| feature refused | forms | the only reason |\n| --- | --- | --- |")
        for name in rows:
            cell = name.replace("|", "\\|")
            print(f"| `{cell}` | {occurs[name]} | {alone[name]} |")
    else:
        print(f"{'forms':>5} {'alone':>5}  feature refused")
        for name in rows:
            print(f"{occurs[name]:5} {alone[name]:5}  {name}")


if __name__ == "__main__":
    main()
