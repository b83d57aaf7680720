"""The architecture's one-way dependencies, checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


#: What a web process must not load before a request needs it: together about
#: three seconds of CPU, which a worker restarting in a crash loop cannot spare.
HEAVY = {"pandas", "scipy", "numpy", "matplotlib", "openpyxl", "fpdf"}

STARTUP_PROBE = """
import sys
import wsgi
print(",".join(sorted({{name.split(".")[0] for name in sys.modules}} & {heavy!r})))
"""


def heavy_modules_at_startup(instance: Path) -> list[str]:
    """Import ``wsgi`` in a fresh interpreter; return the heavy packages it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE.format(heavy=HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HAILONG_INSTANCE_PATH": str(instance)},
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_starting_the_web_app_loads_no_numerical_library(tmp_path: Path) -> None:
    assert heavy_modules_at_startup(tmp_path) == []


@pytest.mark.parametrize("module", ["app.reports.rendering", "app.reports.dashboard"])
def test_the_startup_probe_sees_a_heavy_import(tmp_path: Path, module: str) -> None:
    # The modules the report and dashboard views load on their first request.
    wsgi = tmp_path / "wsgi.py"
    wsgi.write_text(f"import {module}\n")
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE.format(heavy=HEAVY)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
    )
    assert {"pandas", "numpy"} <= set(result.stdout.strip().split(","))
