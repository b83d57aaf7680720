"""Fixtures for the analysis tests: the reference data sets, read once."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import shared_data


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("reference") / name, encoding="utf-8-sig")


@pytest.fixture(scope="session")
def apistrat() -> pd.DataFrame:
    return _read("apistrat.csv")


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return _read("apiclus1.csv")


@pytest.fixture(scope="session")
def apiclus2() -> pd.DataFrame:
    return _read("apiclus2.csv")


@pytest.fixture(scope="session")
def apisrs() -> pd.DataFrame:
    return _read("apisrs.csv")


@pytest.fixture(scope="session")
def cronbach_long() -> pd.DataFrame:
    return _read("cronbach_alpha.csv")


@pytest.fixture(scope="session")
def cronbach_wide_missing() -> pd.DataFrame:
    return _read("cronbach_wide_missing.csv")
