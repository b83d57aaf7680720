"""A whole frame of respondents scored at once, by a ``ScoringMap``'s rules.

The DataFrame side of :mod:`analysis.scoring`, apart from it so that scoring
one respondent needs neither numpy nor pandas. ``ScoringMap.score_one`` gives
the numbers of one row of :func:`score_matrix`.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from analysis._validation import check_columns, check_frame
from analysis.scoring import ScoringMap, answer_number


def item_matrix(
    scoring: ScoringMap, responses: pd.DataFrame, out: np.ndarray | None = None
) -> np.ndarray:
    """Return the item answers as a float matrix, reverse coded and checked.

    Raises ValueError naming the column and value of any answer outside
    the scale. Missing answers stay NaN. ``out``, if given, is a
    (rows, items) float array to write into (saves a copy).
    """
    check_frame(responses, "responses")
    check_columns(responses, scoring.items, "item")
    low, high = scoring.scale
    shape = (len(responses), len(scoring.items))
    matrix = np.empty(shape, order="F") if out is None else out
    if matrix.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {matrix.shape}")
    for j, item in enumerate(scoring.items):
        column = _answer_column(responses, item)
        outside = (column < low) | (column > high)
        if outside.any():
            raise ValueError(
                f"item column {item!r} has value {float(column[outside][0])!r} "
                f"outside the scale {low:g}-{high:g}"
            )
        matrix[:, j] = scoring.coded(item, column)
    return matrix


def score_matrix(
    scoring: ScoringMap, responses: pd.DataFrame
) -> tuple[np.ndarray, list[Hashable], list[str]]:
    """Return every respondent's item and dimension scores, with names and kinds.

    Columns are the items, then the dimensions; a dimension's score is the
    mean of its (reverse-coded) items the respondent answered, NaN when
    they answered none.
    """
    names: list[Hashable] = list(scoring.items)
    kinds = ["item"] * len(names)
    n_items = len(names)
    dimensions = scoring.dimensions
    values = np.empty((len(responses), n_items + len(dimensions)), order="F")
    items = item_matrix(scoring, responses, out=values[:, :n_items])
    position = {item: j for j, item in enumerate(scoring.items)}
    for k, (dimension, members) in enumerate(dimensions.items()):
        total = np.zeros(len(responses))
        answered = np.zeros(len(responses))
        for member in members:
            column = items[:, position[member]]
            present = ~np.isnan(column)
            np.add(total, column, out=total, where=present)
            answered += present
        with np.errstate(invalid="ignore", divide="ignore"):
            values[:, n_items + k] = total / answered
        names.append(dimension)
        kinds.append("dimension")
    return values, names, kinds


def _answer_column(responses: pd.DataFrame, item: Hashable) -> np.ndarray:
    """Return an item column as float64 by :func:`answer_number`'s rule, checked.

    A numeric column is taken as it is (infinities then fail the scale check);
    any other value that is not missing must be a number, else ValueError.
    """
    series = responses[item]
    if pd.api.types.is_bool_dtype(series):
        raise ValueError(f"item column {item!r} must be numeric, got {series.dtype}")
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    column = np.fromiter(map(answer_number, series), np.float64, len(series))
    bad = np.isnan(column) & ~series.isna().to_numpy()
    if bad.any():
        raise ValueError(
            f"item column {item!r} has {series[bad].iloc[0]!r}, which is no number"
        )
    return column
