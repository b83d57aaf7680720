"""Calibration of survey weights to known population totals.

PAPI-style samples are post-stratified to the census: the weights are adjusted
so that the weighted counts of each sex and age group (or each commune type)
equal the population's. This module does it as R's ``survey`` package does
(``postStratify``, ``rake``, ``calibrate`` with the linear calibration
function) for both kinds of design:

- a :class:`~analysis.design.SurveyDesign` gets the adjusted weights, and its
  linearised variance uses the influence values' residuals from the
  adjustment (their post-stratum means removed; ten sweeps over the margins
  for raking; residuals of the weighted regression on the auxiliary
  variables for calibration), as ``svyrecvar`` does;
- a :class:`~analysis.replicates.ReplicateDesign` has every replicate weight
  adjusted the same way, so the replicate variance carries the calibration.

References
----------
.. [1] Deville, J.-C., Särndal, C.-E. (1992). Calibration estimators in survey
       sampling. Journal of the American Statistical Association 87(418),
       376-382.
.. [2] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
       Chapter 7 (post-stratification, raking and calibration).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from scipy import sparse

from analysis._grouping import group_codes
from analysis._validation import check_frame
from analysis.design import SurveyDesign
from analysis.replicates import ReplicateDesign

#: Relative tolerance below which a singular value of the calibration model
#: counts as zero (R's ``qr`` uses 1e-7).
_RANK_TOLERANCE = 1e-7
#: Sweeps over the margins when removing raking residuals (R's ``svyrecvar``).
_RAKING_SWEEPS = 10

Design = TypeVar("Design", SurveyDesign, ReplicateDesign)


#: Influence values of each domain over the rows: sparse while the residuals
#: stay within the domain's post-strata, dense after a regression step.
Columns = sparse.csr_matrix | np.ndarray


@dataclass(frozen=True)
class _PostStrata:
    """Residuals of post-stratification: post-stratum means of x/w removed."""

    codes: np.ndarray
    old_weights: np.ndarray
    new_weights: np.ndarray

    def residuals(self, x: Columns) -> Columns:
        size = self.codes.max() + 1
        ratio = self.old_weights / self.new_weights
        denominator = np.bincount(self.codes, self.old_weights, size)
        means = _group_means(x, self.codes, size, ratio, denominator)
        return x - _spread_back(means, self.codes, self.new_weights)


@dataclass(frozen=True)
class _Raking:
    """Residuals of raking: ten sweeps of unweighted margin means of x/w removed."""

    margins: tuple[tuple[np.ndarray, np.ndarray], ...]

    def residuals(self, x: Columns) -> Columns:
        for _ in range(_RAKING_SWEEPS):
            for codes, weights in self.margins:
                size = codes.max() + 1
                count = np.bincount(codes, minlength=size)
                means = _group_means(x, codes, size, 1 / weights, count)
                x = x - _spread_back(means, codes, weights)
        return x


@dataclass(frozen=True)
class _Regression:
    """Residuals of calibration: x/(g sqrt(w)) projected off the model's columns."""

    #: Orthonormal basis of the columns of the model matrix times sqrt(w).
    basis: np.ndarray
    #: g * sqrt(w), per row.
    scale: np.ndarray

    def residuals(self, x: Columns) -> np.ndarray:
        z = _dense(x) / self.scale[:, None]
        return (z - self.basis @ (self.basis.T @ z)) * self.scale[:, None]


@dataclass(frozen=True)
class Calibration:
    """The adjustments applied to a design's weights, oldest first."""

    steps: tuple[_PostStrata | _Raking | _Regression, ...]
    n_rows: int

    def then(self, step: _PostStrata | _Raking | _Regression) -> Calibration:
        """Return this calibration followed by ``step``."""
        return Calibration((*self.steps, step), self.n_rows)

    def spread(
        self, influence: np.ndarray, inside: np.ndarray, d: np.ndarray, n_domains: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return each domain's influence residuals over the rows, stacked.

        A residual is non-zero outside its domain too (the post-stratum means
        include the domain's rows), so each domain becomes a column over the
        rows; the result is (values, row index, domain code) for the non-zero
        entries, as ``SurveyDesign._linearised_variance`` takes them (rows
        left out count as zeros there). Post-strata and raking keep the
        columns sparse; a regression step makes them dense (rows x domains).
        """
        rows = np.flatnonzero(inside) if inside.dtype == bool else inside
        x: Columns = sparse.csr_matrix(
            (influence, (rows, d)), shape=(self.n_rows, n_domains)
        )
        for step in self.steps:
            x = step.residuals(x)
        if sparse.issparse(x):
            entries = x.tocoo()
            return entries.data, entries.row, entries.col
        every = np.arange(self.n_rows)
        return (
            x.T.ravel(),
            np.tile(every, n_domains),
            np.repeat(np.arange(n_domains), self.n_rows),
        )


def _group_means(
    x: Columns,
    codes: np.ndarray,
    size: int,
    row_factor: np.ndarray,
    denominator: np.ndarray,
) -> Columns:
    """Return sum over each group's rows of row_factor * x, divided by denominator."""
    rows = np.arange(codes.size)
    summing = sparse.csr_matrix(
        (row_factor / denominator[codes], (codes, rows)), shape=(size, codes.size)
    )
    return summing @ x


def _spread_back(means: Columns, codes: np.ndarray, weights: np.ndarray) -> Columns:
    """Return each row's group mean times its weight (rows x columns)."""
    rows = np.arange(codes.size)
    spreading = sparse.csr_matrix(
        (weights, (rows, codes)), shape=(codes.size, means.shape[0])
    )
    return spreading @ means


def _dense(x: Columns) -> np.ndarray:
    return x.toarray() if sparse.issparse(x) else np.asarray(x)


def post_stratify(
    design: Design,
    by: Hashable | Sequence[Hashable],
    population: Mapping | pd.Series | pd.DataFrame,
    *,
    partial: bool = False,
) -> Design:
    """Post-stratify ``design`` so that its weighted counts match ``population``.

    Matches R's ``postStratify(design, ~by, population)``: each row's weight
    is multiplied by N_h / (sum of the weights in its post-stratum h).

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
        The design to adjust; it is not modified. Replicate weights are
        post-stratified one by one (R's ``postStratify.svyrep.design``).
    by : str or list of str
        Column(s) defining the post-strata; no missing values.
    population : mapping, Series or DataFrame
        Population count of each post-stratum, keyed by its value (a tuple
        of values when ``by`` has several columns), or R's form: a data frame
        with the ``by`` columns and the counts in a ``Freq`` column.
    partial : bool
        Ignore post-strata of ``population`` with no sampled row (R's
        ``partial=TRUE``); otherwise they are an error.

    Returns
    -------
    SurveyDesign or ReplicateDesign
        A new design of the same kind.

    References
    ----------
    .. [1] Holt, D., Smith, T. M. F. (1979). Post stratification. Journal of
           the Royal Statistical Society A 142(1), 33-46.
    .. [2] R ``survey::postStratify`` (Lumley 2010, section 7.2).
    """
    codes, totals = _cells(design.data, by, population, partial)
    weights = _weight_matrix(design)
    calibrated = _post_stratified(weights, codes, totals)
    if isinstance(design, ReplicateDesign):
        return design._reweighted(calibrated)
    step = _PostStrata(codes, weights[:, 0], calibrated[:, 0])
    return _with_step(design, calibrated[:, 0], step)


def rake(
    design: Design,
    margins: Sequence[
        tuple[Hashable | Sequence[Hashable], Mapping | pd.Series | pd.DataFrame]
    ],
    *,
    max_iterations: int = 10,
    epsilon: float = 1.0,
) -> Design:
    """Rake ``design`` to several population margins by iterative post-stratification.

    Matches R's ``rake(design, sample.margins, population.margins)`` with its
    defaults: each pass post-stratifies on every margin in turn; passes stop
    when no cell of the cross-classification of all margin variables moved
    by ``epsilon`` or more (a share of the weight total when ``epsilon < 1``),
    or after ``max_iterations`` passes (then a warning, as in R).

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
        The design to adjust; it is not modified.
    margins : sequence of (by, population)
        Each margin's column(s) and population counts, as in
        :func:`post_stratify`.
    max_iterations : int
        Most passes over the margins.
    epsilon : float
        Convergence tolerance on the weighted counts.

    Returns
    -------
    SurveyDesign or ReplicateDesign
        A new design of the same kind.

    References
    ----------
    .. [1] Deming, W. E., Stephan, F. F. (1940). On a least squares adjustment
           of a sampled frequency table when the expected marginal totals are
           known. Annals of Mathematical Statistics 11(4), 427-444.
    .. [2] R ``survey::rake`` (Lumley 2010, section 7.3).
    """
    if not margins:
        raise ValueError("rake needs at least one margin, got none")
    if not isinstance(max_iterations, int) or max_iterations < 1:
        raise ValueError(
            f"max_iterations must be a positive integer, got {max_iterations!r}"
        )
    cells = [_cells(design.data, by, population, False) for by, population in margins]
    columns = list(dict.fromkeys(c for by, _ in margins for c in _as_list(by)))
    joint, keys = group_codes(design.data, columns)
    weights = _weight_matrix(design)
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)):
        raise ValueError(f"epsilon must be a positive number, got {epsilon!r}")
    if not epsilon > 0:
        raise ValueError(f"epsilon must be a positive number, got {epsilon!r}")
    if epsilon < 1:
        epsilon = epsilon * weights[:, 0].sum()
    table = np.bincount(joint, weights[:, 0], len(keys))
    converged = False
    for _ in range(max_iterations):
        steps = []
        for codes, totals in cells:
            weights = _post_stratified(weights, codes, totals)
            steps.append((codes, weights[:, 0]))
        new_table = np.bincount(joint, weights[:, 0], len(keys))
        if np.max(np.abs(new_table - table)) < epsilon:
            converged = True
            break
        table = new_table
    if not converged:
        warnings.warn(
            f"raking did not converge after {max_iterations} iterations",
            RuntimeWarning,
            stacklevel=2,
        )
    if isinstance(design, ReplicateDesign):
        return design._reweighted(weights)
    return _with_step(design, weights[:, 0], _Raking(tuple(steps)))


def calibrate(
    design: Design,
    auxiliary: pd.DataFrame,
    totals: Mapping[Hashable, float] | pd.Series,
) -> Design:
    """Calibrate ``design`` to known population totals of the ``auxiliary`` columns.

    Linear (GREG) calibration, R's ``calibrate(design, formula, population)``
    with its default ``calfun="linear"`` and no bounds: the weights become
    ``w g`` with ``g = 1 + x' (X'WX)^-1 (T - X'w)``, the variance uses the
    residuals of the weighted regression of the influence values on X.

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
        The design to adjust; it is not modified.
    auxiliary : pandas.DataFrame
        The model matrix X, one row per row of ``design.data`` (same order),
        numeric columns without missing values. R's ``~stype + api99`` is
        ``pd.get_dummies(data["stype"], drop_first=True, dtype=float)``
        plus a column of ones and ``data["api99"]``.
    totals : mapping or Series
        Population total of each column of ``auxiliary``, by column name.

    Returns
    -------
    SurveyDesign or ReplicateDesign
        A new design of the same kind.

    References
    ----------
    .. [1] Deville and Särndal (1992); Särndal, C.-E., Swensson, B., Wretman,
           J. (1992). Model Assisted Survey Sampling. Springer. Chapter 6.
    .. [2] R ``survey::calibrate`` (Lumley 2010, section 7.4).
    """
    model, target = _model(design.data, auxiliary, totals)
    weights = _weight_matrix(design)
    root = np.sqrt(weights[:, 0])
    basis, singular, _ = np.linalg.svd(model * root[:, None], full_matrices=False)
    rank = int((singular > _RANK_TOLERANCE * singular[0]).sum())
    if rank < model.shape[1]:
        raise ValueError(
            f"the auxiliary columns {list(auxiliary.columns)} are linearly "
            f"dependent (rank {rank} of {model.shape[1]}): drop one, for example "
            "one dummy of each factor when there is a column of ones"
        )
    moments = np.einsum("ir,ij,ik->rjk", weights, model, model, optimize=True)
    misfit = target[None, :] - weights.T @ model
    coefficients = np.linalg.solve(moments, misfit[:, :, None])[:, :, 0]
    g = 1 + model @ coefficients.T
    calibrated = weights * g
    if isinstance(design, ReplicateDesign):
        return design._reweighted(calibrated)
    return _with_step(design, calibrated[:, 0], _Regression(basis, g[:, 0] * root))


def _weight_matrix(design: SurveyDesign | ReplicateDesign) -> np.ndarray:
    """Return the design's weights as columns: full weights first, then replicates."""
    if isinstance(design, ReplicateDesign):
        return design._weight_columns()
    if isinstance(design, SurveyDesign):
        return design.weights[:, None]
    raise ValueError(
        f"design must be a SurveyDesign or ReplicateDesign, got {type(design).__name__}"
    )


def _with_step(
    design: SurveyDesign, weights: np.ndarray, step: _PostStrata | _Raking | _Regression
) -> SurveyDesign:
    previous = design._calibration or Calibration((), len(weights))
    return design._recalibrated(weights, previous.then(step))


def _post_stratified(
    weights: np.ndarray, codes: np.ndarray, totals: np.ndarray
) -> np.ndarray:
    """Return every weight column scaled to ``totals`` within each post-stratum."""
    sums = _group_sums(weights, codes, totals.size)
    return weights * (totals[:, None] / sums)[codes]


def _group_sums(x: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Return the column sums of ``x`` (rows x k) within each code, (size x k)."""
    sums = np.zeros((size, x.shape[1]))
    np.add.at(sums, codes, x)
    return sums


def _as_list(by: Hashable | Sequence[Hashable]) -> list[Hashable]:
    return list(by) if isinstance(by, (list, tuple)) else [by]


def _cells(
    data: pd.DataFrame,
    by: Hashable | Sequence[Hashable],
    population: Mapping | pd.Series | pd.DataFrame,
    partial: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's post-stratum code and each post-stratum's population count."""
    columns = _as_list(by)
    if isinstance(population, pd.DataFrame):
        population = _frame_counts(population, columns)
    codes, keys = group_codes(data, columns)
    if (codes < 0).any():
        raise ValueError(f"post-stratification column(s) {columns} have missing values")
    counts = dict(pd.Series(population, dtype=np.float64).items())
    labels = [
        tuple(row) if len(columns) > 1 else row[0]
        for row in keys.itertuples(index=False, name=None)
    ]
    absent = [label for label in labels if label not in counts]
    if absent:
        raise ValueError(
            f"post-strata {absent} of {columns} are in the sample but not in population"
        )
    unsampled = [label for label in counts if label not in set(labels)]
    if unsampled and not partial:
        raise ValueError(
            f"post-strata {unsampled} of {columns} have a population but no sampled "
            "row; pass partial=True to ignore them"
        )
    totals = np.array([counts[label] for label in labels])
    if not (np.isfinite(totals) & (totals > 0)).all():
        raise ValueError(f"population counts must be positive, got {population!r}")
    return codes, totals


def _frame_counts(frame: pd.DataFrame, columns: list[Hashable]) -> pd.Series:
    """Return R's population data frame (``by`` columns and ``Freq``) as a Series."""
    absent = [c for c in [*columns, "Freq"] if c not in frame.columns]
    if absent:
        raise ValueError(
            f"a population data frame needs the columns {[*columns, 'Freq']}, "
            f"missing {absent}"
        )
    if frame.duplicated(columns).any():
        raise ValueError(f"the population data frame repeats values of {columns}")
    if len(columns) > 1:
        index = pd.MultiIndex.from_frame(frame[columns])
    else:
        index = pd.Index(frame[columns[0]])
    return pd.Series(frame["Freq"].to_numpy(), index=index)


def _model(
    data: pd.DataFrame, auxiliary: pd.DataFrame, totals: Mapping | pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Return the calibration model matrix and its population totals, checked."""
    check_frame(auxiliary, "auxiliary")
    if len(auxiliary) != len(data):
        raise ValueError(
            f"auxiliary has {len(auxiliary)} rows, the design's data {len(data)}"
        )
    target = pd.Series(totals, dtype=np.float64)
    if set(target.index) != set(auxiliary.columns):
        raise ValueError(
            "totals must name exactly the auxiliary columns "
            f"{list(auxiliary.columns)}, got {list(target.index)}"
        )
    if not np.isfinite(target).all():
        bad = target.index[~np.isfinite(target.to_numpy())].tolist()
        raise ValueError(f"totals must be finite numbers, not for {bad}")
    model = auxiliary.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(model).all():
        raise ValueError("auxiliary must be numeric without missing values")
    return model, target.reindex(auxiliary.columns).to_numpy()
