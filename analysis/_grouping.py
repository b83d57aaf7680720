"""Group codes and per-group sums shared by the vectorised estimators."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from analysis._validation import as_column_list, check_columns


def group_codes(
    data: pd.DataFrame, by: Hashable | Sequence[Hashable] | None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Return each row's group code (-1 when a ``by`` value is missing) and keys.

    Groups are sorted by their key; the keys frame has one row per group and
    one column per ``by`` column (no columns, one row, when ``by`` is None).
    """
    columns = as_column_list(by)
    if not columns:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=[0])
    check_columns(data, columns, "by")
    if len(columns) == 1:
        codes, uniques = pd.factorize(data[columns[0]], sort=True)
        keys = pd.DataFrame({columns[0]: uniques})
        return codes.astype(np.int64, copy=False), keys
    grouped = data.groupby(columns, sort=True, dropna=True, observed=True)
    codes = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
    keys = grouped.size().index.to_frame(index=False)
    return codes, keys


def moment_sums(
    values: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    threshold: float | None = None,
) -> tuple[np.ndarray, ...]:
    """Return count, sum and sum of squares of non-missing values per group.

    ``values`` is (rows, variables); rows with a negative code are ignored.
    Each result is (groups, variables). With ``threshold``, a fourth result
    counts the values at or above it.
    """
    bins = np.where(codes < 0, n_groups, codes)
    shape = (n_groups, values.shape[1])
    sums = [np.empty(shape) for _ in range(3 if threshold is None else 4)]
    size = n_groups + 1
    for j in range(values.shape[1]):
        # One temporary at a time: large short-lived arrays cost page faults.
        column = values[:, j]
        present = ~np.isnan(column)
        sums[0][:, j] = np.bincount(bins, present, size)[:n_groups]
        filled = np.where(present, column, 0.0)
        sums[1][:, j] = np.bincount(bins, filled, size)[:n_groups]
        sums[2][:, j] = np.bincount(bins, filled * filled, size)[:n_groups]
        if threshold is not None:
            sums[3][:, j] = np.bincount(bins, column >= threshold, size)[:n_groups]
    return tuple(sums)


def mean_and_variance(
    count: np.ndarray, total: np.ndarray, squares: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return means and sample variances (ddof=1) from moment sums; NaN if undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        variance = (squares - total * mean) / (count - 1)
    mean = np.where(count > 0, mean, np.nan)
    variance = np.where(count > 1, np.maximum(variance, 0.0), np.nan)
    return mean, variance
