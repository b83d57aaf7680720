"""Input checks shared by the public functions; every error names the bad value."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd


def check_frame(data: object, name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame, else raise ValueError."""
    if not isinstance(data, pd.DataFrame):
        kind = type(data).__name__
        raise ValueError(f"{name} must be a pandas DataFrame, got {kind}")
    return data


def as_column_list(columns: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    """Normalise ``None``, one column name or a list of names to a list."""
    if columns is None:
        return []
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        return [columns]
    return list(columns)


def check_columns(data: pd.DataFrame, columns: Iterable[Hashable], role: str) -> None:
    """Raise ValueError naming the first of ``columns`` missing from ``data``."""
    for column in columns:
        if column not in data.columns:
            raise ValueError(f"{role} column {column!r} is not in the data")


def check_numeric(data: pd.DataFrame, column: Hashable, role: str) -> np.ndarray:
    """Return ``data[column]`` as float64, or raise if it is not numeric."""
    series = data[column]
    if not (
        pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
    ):
        raise ValueError(
            f"{role} column {column!r} must be numeric, got {series.dtype}"
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def check_binary(data: pd.DataFrame, column: Hashable) -> np.ndarray:
    """Return a 0/1/NaN float array, or raise if ``column`` holds other values."""
    values = check_numeric(data, column, "proportion")
    bad = ~np.isnan(values) & (values != 0) & (values != 1)
    if bad.any():
        example = float(values[bad][0])
        raise ValueError(
            f"proportion column {column!r} must hold only 0/1 or booleans, "
            f"found {example!r}"
        )
    return values


def check_level(level: float) -> float:
    """Return ``level`` if it is a confidence level strictly between 0 and 1."""
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    return float(level)


def check_choice(value: str, allowed: Sequence[str], name: str) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def check_flag(value: object, name: str) -> bool:
    """Return ``value`` if it is a bool (numpy's included), so "no" is no True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)
