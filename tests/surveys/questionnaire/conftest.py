"""Paths and loaders shared by the questionnaire engine tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import surveys
from surveys.questionnaire import Questionnaire
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[3]
DEFINITIONS = ROOT / "surveys" / "definitions"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test taking ``template_name`` once per shipped definition."""
    if "template_name" in metafunc.fixturenames:
        names = sorted(path.stem for path in DEFINITIONS.glob("*.yaml"))
        metafunc.parametrize("template_name", names)


@pytest.fixture(scope="session")
def load_template() -> Callable[[str], Questionnaire]:
    """Load a shipped definition by its key."""
    return lambda name: surveys.load_definition(DEFINITIONS / f"{name}.yaml")


@pytest.fixture
def xlsform_dir() -> Path:
    """Real XLSForm workbooks, read-only, kept beside the project (see their README)."""
    return shared_data("xlsform")
