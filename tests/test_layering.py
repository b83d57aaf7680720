"""The architecture's one-way dependencies, checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for module in pkgutil.walk_packages(package.__path__, {package!r} + "."):
    importlib.import_module(module.name)
forbidden = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {forbidden!r}
)
print(",".join(forbidden))
"""


def imported_forbidden(package: str, forbidden: set[str]) -> list[str]:
    """Import every module of ``package``; return the forbidden modules it pulled in."""
    code = PROBE.format(package=package, forbidden=forbidden)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_surveys_imports_no_web_code() -> None:
    assert imported_forbidden("surveys", {"flask", "werkzeug", "flask_wtf"}) == []


def test_analysis_imports_no_web_database_or_domain_code() -> None:
    forbidden = {"flask", "werkzeug", "sqlalchemy", "surveys", "app"}
    assert imported_forbidden("analysis", forbidden) == []


def test_the_probe_sees_a_forbidden_import() -> None:
    # The check above is only worth something if it would catch a violation.
    assert "flask" in imported_forbidden("app", {"flask"})
