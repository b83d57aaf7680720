"""Count the real XLSForms in ../shared/data/xlsform/ that load; say why others do not.

Run by hand (never in CI): ``.venv/bin/python bench/count_real_xlsforms.py [-v] [DIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import surveys  # noqa: E402
from surveys.questionnaire import DefinitionError  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "xlsform"


def main(arguments: list[str]) -> None:
    verbose = "-v" in arguments
    folders = [Path(a) for a in arguments if a != "-v"] or [DEFAULT_DIR]
    paths = sorted(p for folder in folders for p in folder.glob("*.xls*"))
    loaded = 0
    for path in paths:
        try:
            surveys.load_definition(path)
        except DefinitionError as error:
            print(f"refused {path.name}: {len(error.problems)} problems")
            for problem in error.problems if verbose else ():
                print(f"    {problem}")
        else:
            loaded += 1
            print(f"loads   {path.name}")
    print(f"{loaded} of {len(paths)} load")


if __name__ == "__main__":
    main(sys.argv[1:])
