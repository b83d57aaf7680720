"""Tests of association in a two-way table estimated from a complex sample.

Pearson's X² computed on weighted counts is not chi-squared under a complex
design: clustering inflates it, so "satisfaction differs by district type"
would be found far too often. Rao and Scott's correction divides X² by the
mean generalised design effect of the table's interaction contrasts and,
for the F version, refers it to an F distribution whose degrees of freedom
carry the eigenvalue spread (their second-order correction). This is R's
``svychisq(~a + b, design, statistic = "F")`` (the default) and
``statistic = "Chisq"``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis._validation import check_choice, check_columns
from analysis.design import SurveyDesign

CHISQ_STATISTICS = ("F", "Chisq")


@dataclass(frozen=True)
class TableTest:
    """A design-based test of association in a two-way table.

    Attributes
    ----------
    statistic : float
        ``"F"``: X² / tr(Δ); ``"Chisq"``: Pearson's X² itself (R reports it
        unscaled and scales it only for the p-value).
    ndf, ddf : float
        Degrees of freedom: for ``"F"`` d0 = tr(Δ)²/tr(Δ²) and d0 times the
        design df; for ``"Chisq"`` (r-1)(c-1) and infinity.
    p_value : float
        Upper tail probability.
    pearson : float
        Pearson's X² of the weighted table scaled to the number of rows.
    method : str
        ``"rao-scott-F"`` or ``"rao-scott-chisq"``.
    table : pandas.DataFrame
        The estimated cell proportions (rows by columns).
    """

    statistic: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    method: str
    table: pd.DataFrame


def rao_scott_test(
    design: SurveyDesign,
    row: Hashable,
    column: Hashable,
    *,
    statistic: str = "F",
) -> TableTest:
    """Test association of ``row`` and ``column`` with Rao and Scott's correction.

    Rows where either variable is missing are left out as a domain (R's
    ``na.rm = TRUE``), but still count in the table's scaling, as in R.

    Parameters
    ----------
    design : SurveyDesign
        Any design of :mod:`analysis.design`, :mod:`analysis.pps` or one
        calibrated by :mod:`analysis.calibration`.
    row, column : str
        Columns of categories (at least two levels each).
    statistic : {"F", "Chisq"}
        Second-order (F) or first-order (chi-squared) correction.

    Returns
    -------
    TableTest

    References
    ----------
    .. [1] Rao, J. N. K., Scott, A. J. (1984). On chi-squared tests for
           multiway contingency tables with cell proportions estimated from
           survey data. Annals of Statistics 12(1), 46-60.
    .. [2] Lumley (2010), section 6.2; R ``survey::svychisq``.
    """
    check_choice(statistic, CHISQ_STATISTICS, "statistic")
    if not isinstance(design, SurveyDesign):
        raise ValueError(f"design must be a SurveyDesign, got {type(design).__name__}")
    data = design.data
    check_columns(data, [row, column], "table")
    row_codes, row_levels = pd.factorize(data[row], sort=True)
    column_codes, column_levels = pd.factorize(data[column], sort=True)
    n_rows, n_columns = len(row_levels), len(column_levels)
    if n_rows < 2 or n_columns < 2:
        raise ValueError(
            f"{row!r} and {column!r} need two levels each, got {n_rows} and {n_columns}"
        )
    inside = (row_codes >= 0) & (column_codes >= 0)
    # Cells in R's order (row level varying fastest).
    cell = np.where(inside, row_codes + n_rows * column_codes, -1)
    n_cells = n_rows * n_columns
    weights = design.weights
    w = np.where(inside, weights, 0.0)
    proportion = np.bincount(cell[inside], w[inside], n_cells) / w.sum()
    indicator = np.zeros((len(data), n_cells))
    indicator[np.flatnonzero(inside), cell[inside]] = 1.0
    influence = w[:, None] * (indicator - proportion) / w.sum()
    contrasts = _interaction_contrasts(n_rows, n_columns)
    inverse = np.where(proportion > 0, 1 / np.where(proportion > 0, proportion, 1), 0)
    scaled = inverse[:, None] * contrasts
    total = len(data)
    numerator = design._score_covariance(influence @ scaled)
    denominator = contrasts.T @ (inverse[:, None] / total * contrasts)
    delta = np.linalg.solve(denominator, numerator)
    trace = np.trace(delta)
    d0 = trace**2 / np.trace(delta @ delta)
    pearson = _pearson(proportion.reshape(n_columns, n_rows).T * total)
    first = design._first_stage()
    nu = first[0].max() + 1 - (first[1].max() + 1)
    df = (n_rows - 1) * (n_columns - 1)
    if statistic == "F":
        value = pearson / trace
        ndf, ddf = d0, d0 * nu
        p_value = stats.f.sf(value, ndf, ddf)
        method = "rao-scott-F"
    else:
        value = pearson
        ndf, ddf = float(df), np.inf
        p_value = stats.chi2.sf(pearson / (trace / df), df)
        method = "rao-scott-chisq"
    table = pd.DataFrame(
        proportion.reshape(n_columns, n_rows).T,
        index=pd.Index(row_levels, name=row),
        columns=pd.Index(column_levels, name=column),
    )
    return TableTest(
        float(value),
        float(ndf),
        float(ddf),
        float(p_value),
        float(pearson),
        method,
        table,
    )


def _interaction_contrasts(n_rows: int, n_columns: int) -> np.ndarray:
    """Return the saturated model's interaction columns residualised on main effects.

    R's ``qr.resid(qr(X1), X12[, interaction columns])`` over the cells, rows
    varying fastest.
    """
    rows = np.tile(np.arange(n_rows), n_columns)
    columns = np.repeat(np.arange(n_columns), n_rows)
    row_dummies = (rows[:, None] == np.arange(1, n_rows)[None, :]).astype(float)
    column_dummies = (columns[:, None] == np.arange(1, n_columns)[None, :]).astype(
        float
    )
    main = np.column_stack([np.ones(rows.size), row_dummies, column_dummies])
    interaction = (row_dummies[:, :, None] * column_dummies[:, None, :]).reshape(
        rows.size, -1
    )
    fitted = main @ np.linalg.lstsq(main, interaction, rcond=None)[0]
    return interaction - fitted


def _pearson(counts: np.ndarray) -> float:
    """Return Pearson's X² of a table of (weighted) counts."""
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(expected > 0, (counts - expected) ** 2 / expected, 0.0)
    return float(terms.sum())
