"""Scores of individual officials: a per-unit ordinal model with its uncertainty.

An official with three ratings, one of them angry, should not be shown as the
worst of the district, and an official a district acts on needs an interval that
holds for them. Each unit is fitted on its own (its officials are compared with
each other, never with another unit's), on the ratings that name an official:

- cumulative-logit random-intercept model on the rating categories
  ``P(y <= k | b_j) = expit(kappa_k - b_j)``, with ``b_j ~ N(0, tau^2)`` the
  official's effect (0 is the unit's typical official);
- ``tau`` has a half-Cauchy(0, 2.5) prior (Gelman 2006; Gelman et al. 2008)
  and is integrated on a grid, as is each ``b_j`` (full Bayes for ``tau``, no
  moment estimate that can collapse to 0);
- the cut-points ``kappa`` are the posterior mode of the marginal likelihood
  (with a Perks pseudo-count of ``1/K`` per category for the typical official,
  so a unit whose ratings are all 5 still has finite cut-points); their
  uncertainty is carried by a sigma-point (unscented) average of the posterior
  over ``2(K - 1) + 1`` cut-point vectors (Julier and Uhlmann 2004), spread
  from the cut-point nearest the pooled median;
- the ``score`` is the posterior mean of the official's expected rating
  ``theta_j = sum_k s_k P(y = k | b_j)``, with an equal-tailed posterior
  interval. It is calibrated for officials averaged over the unit and for the
  officials with the lowest and the highest score (those a district acts on);
  no shrunk score covers officials chosen by their *true* value (Dawid 1994),
  so the mean of the official's own ratings is given beside it with a
  Dirichlet-Perks interval, which does.

``docs/methodology.md`` section 7 gives the coverage by simulation.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analysis._grouping import group_codes
from analysis._validation import check_columns, check_frame, check_level, check_numeric
from analysis.intervals import dirichlet_mean_interval
from analysis.results import MIN_INTERVAL, MIN_SUPPRESS

#: The official's effect ``b`` (logit scale) and the between-official SD ``tau``.
B_GRID = np.linspace(-8.0, 8.0, 321)
TAU_GRID = np.concatenate([[0.0], np.geomspace(0.02, 5.0, 40)])
#: Half-Cauchy scale of ``tau`` on the logit scale: 2.5, Gelman et al.'s (2008)
#: weakly informative scale for logistic coefficients. Scale 1 (the design's
#: first choice) pulled tau down and held coverage to 0.92 when officials
#: differ by tau = 1.5 (``docs/methodology.md`` section 7).
TAU_PRIOR_SCALE = 2.5
#: Officials with at least this many ratings count toward "enough to compare".
MIN_RATINGS_TO_COMPARE = 2
#: Fewer officials with ``MIN_RATINGS_TO_COMPARE`` ratings: no flag is given.
MIN_OFFICIALS_TO_COMPARE = 3
#: What the flag says of an official (the app translates these codes).
BELOW, ABOVE, NO_DIFFERENCE, TOO_FEW = (
    "below", "above", "no clear difference", "too few officials",
)  # fmt: skip
#: Sigma-point spread parameter (``lambda`` of the unscented transform).
_SIGMA_LAMBDA = 1.0
#: Largest posterior SD of a cut-point direction the sigma points span: a
#: direction the data do not inform (a category nobody chose) is held by the
#: Perks pseudo-count alone, and a normal approximation of it is meaningless.
_MAX_SIGMA_SD = 1.0


def _prior_cells() -> tuple[np.ndarray, np.ndarray]:
    """Return the prior mass of each ``b`` cell given each ``tau``, and log P(tau).

    Cell masses come from the normal CDF, so a small ``tau`` puts its mass in
    the cell at 0 instead of falling between grid points; ``tau = 0`` is that
    cell alone. Each ``tau`` point carries the half-Cauchy mass of the interval
    around it, the last one the whole tail.
    """
    step = B_GRID[1] - B_GRID[0]
    low, high = B_GRID - step / 2, B_GRID + step / 2
    spread = TAU_GRID[1:]
    cells = stats.norm.cdf(high[:, None] / spread) - stats.norm.cdf(
        low[:, None] / spread
    )
    at_zero = (np.abs(B_GRID) < step / 2).astype(np.float64)[:, None]
    cells = np.hstack([at_zero, cells])
    cells /= cells.sum(axis=0, keepdims=True)
    edges = np.concatenate([[0.0], (TAU_GRID[:-1] + TAU_GRID[1:]) / 2, [np.inf]])
    mass = np.diff(2 / np.pi * np.arctan(edges / TAU_PRIOR_SCALE))
    return cells, np.log(mass)


_CELLS, _LOG_TAU_PRIOR = _prior_cells()
_ZERO = len(B_GRID) // 2


def _gap_layout(counts: np.ndarray) -> np.ndarray:
    """Return how each gap between cut-points moves each cut-point (+1, -1, 0).

    The cut-points are one anchor and the logs of the gaps going out from it.
    The anchor is the cut-point nearest the pooled median, the best determined
    one: a gap next to a category nobody chose is then uncertain on its own and
    does not carry the well-determined cut-points with it, which matters for the
    sigma points (a first-cut-point anchor shifted the typical official's expected
    rating down by several hundredths under the ceiling).
    """
    pooled = np.cumsum(counts.sum(axis=0))[:-1] / max(counts.sum(), 1)
    anchor = int(np.argmin(np.abs(pooled - 0.5)))
    cut, gap = np.indices((counts.shape[1] - 1, counts.shape[1] - 2))
    return np.where((anchor <= gap) & (gap < cut), 1.0, 0.0) - np.where(
        (cut <= gap) & (gap < anchor), 1.0, 0.0
    )


def _cut_points(theta: np.ndarray, layout: np.ndarray) -> np.ndarray:
    """Return ordered cut-points from the anchor and the logs of the gaps."""
    return theta[0] + layout @ np.exp(theta[1:])


def _categories(kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return P(y <= k | b) and P(y = k | b) on the ``b`` grid (rows)."""
    below = special.expit(kappa[None, :] - B_GRID[:, None])
    rows = len(B_GRID)
    bounded = np.hstack([np.zeros((rows, 1)), below, np.ones((rows, 1))])
    return below, np.maximum(np.diff(bounded, axis=1), 1e-300)


@dataclass(frozen=True)
class _Posterior:
    """The posterior of one unit's officials given one cut-point vector."""

    log_density: float
    below: np.ndarray
    probabilities: np.ndarray
    #: P(b_j in each cell | data): officials x cells.
    effects: np.ndarray
    #: P(tau | data) on ``TAU_GRID``.
    tau: np.ndarray


def _posterior(counts: np.ndarray, kappa: np.ndarray, prior: float) -> _Posterior:
    """Integrate the officials' effects and ``tau`` on the grids for one ``kappa``."""
    below, probabilities = _categories(kappa)
    loglik = counts @ np.log(probabilities).T
    top = loglik.max(axis=1, keepdims=True)
    likelihood = np.exp(loglik - top)
    marginal = likelihood @ _CELLS
    with np.errstate(divide="ignore"):
        log_marginal = np.log(marginal) + top
    joint = _LOG_TAU_PRIOR + log_marginal.sum(axis=0)
    peak = joint.max()
    tau = np.exp(joint - peak)
    total = tau.sum()
    tau /= total
    weights = np.divide(tau, marginal, out=np.zeros_like(marginal), where=marginal > 0)
    effects = likelihood * (weights @ _CELLS.T)
    log_prior = prior * np.log(probabilities[_ZERO]).sum()
    return _Posterior(
        float(peak + np.log(total) + log_prior), below, probabilities, effects, tau
    )


def _negative_log_density(
    theta: np.ndarray, counts: np.ndarray, prior: float, layout: np.ndarray
) -> tuple[float, np.ndarray]:
    """Return minus the log marginal posterior of the cut-points and its gradient.

    The gradient is the posterior expectation of the complete-data score
    (Louis 1982): ``sum_b P(b | data) d log P(y | b) / d kappa``.
    """
    fit = _posterior(counts, _cut_points(theta, layout), prior)
    density = fit.below * (1 - fit.below)
    weighted = fit.effects.T @ counts
    weighted[_ZERO] += prior
    p = fit.probabilities
    by_kappa = (
        density * (weighted[:, :-1] / p[:, :-1] - weighted[:, 1:] / p[:, 1:])
    ).sum(axis=0)
    gaps = np.exp(theta[1:]) * (layout.T @ by_kappa)
    return -fit.log_density, -np.concatenate([[by_kappa.sum()], gaps])


def _start(counts: np.ndarray, prior: float, layout: np.ndarray) -> np.ndarray:
    """Return the pooled cumulative logits as a starting point."""
    pooled = counts.sum(axis=0) + prior
    kappa = special.logit(np.cumsum(pooled)[:-1] / pooled.sum())
    anchor = int(np.flatnonzero(np.all(layout == 0, axis=1))[0])
    gaps = np.log(np.maximum(np.diff(kappa), 1e-3))
    return np.concatenate([[kappa[anchor]], gaps])


def _sigma_points(
    counts: np.ndarray, prior: float
) -> tuple[list[np.ndarray], np.ndarray]:
    """Return cut-point vectors and weights spanning the cut-points' posterior.

    A normal approximation at the posterior mode (Hessian by central differences
    of the analytic gradient), spanned by ``2d + 1`` unscented sigma points.
    """
    layout = _gap_layout(counts)
    found = optimize.minimize(
        _negative_log_density, _start(counts, prior, layout),
        args=(counts, prior, layout), jac=True, method="L-BFGS-B",
    )  # fmt: skip
    centre, size, step = found.x, len(found.x), 1e-4
    hessian = np.empty((size, size))
    for i, shift in enumerate(np.eye(size) * step):
        upper = _negative_log_density(centre + shift, counts, prior, layout)[1]
        lower = _negative_log_density(centre - shift, counts, prior, layout)[1]
        hessian[i] = (upper - lower) / (2 * step)
    values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    root = vectors / np.sqrt(np.maximum(values, 1 / _MAX_SIGMA_SD**2))
    spread = np.sqrt(size + _SIGMA_LAMBDA) * root.T
    points = [centre, *(centre + spread), *(centre - spread)]
    weights = np.full(2 * size + 1, 1 / (2 * (size + _SIGMA_LAMBDA)))
    weights[0] = _SIGMA_LAMBDA / (size + _SIGMA_LAMBDA)
    return [_cut_points(p, layout) for p in points], weights


def _quantiles(
    values: np.ndarray, mass: np.ndarray, probabilities: Sequence[float]
) -> np.ndarray:
    """Return quantiles of discrete distributions on sorted ``values`` (one per row).

    The CDF is interpolated linearly between the points, as for a density on
    the grid cells.
    """
    cdf = np.cumsum(mass, axis=1)
    cdf /= cdf[:, -1:]
    result = np.empty((len(mass), len(probabilities)))
    for column, probability in enumerate(probabilities):
        upper = np.minimum((cdf < probability).sum(axis=1), len(values) - 1)
        lower = np.maximum(upper - 1, 0)
        rows = np.arange(len(mass))
        c0, c1 = cdf[rows, lower], cdf[rows, upper]
        fraction = np.clip(
            np.divide(probability - c0, c1 - c0, out=np.ones_like(c0), where=c1 > c0),
            0,
            1,
        )
        result[:, column] = values[lower] + fraction * (values[upper] - values[lower])
    return result


def _ordinal_grid_fit(
    counts: np.ndarray, scale: np.ndarray, level: float
) -> dict[str, np.ndarray]:
    """Fit one unit's officials (rows of category ``counts``); return their scores.

    The posterior over the sigma points is a mixture: each point gives every
    official a distribution on the ``b`` grid and the matching expected ratings,
    which are pooled, sorted and read as one CDF per official.
    """
    prior = 1.0 / counts.shape[1]
    kappas, weights = _sigma_points(counts, prior)
    ratings, masses, tau = [], [], np.zeros(len(TAU_GRID))
    spread = np.zeros(len(TAU_GRID))
    below = np.zeros(len(counts))
    for kappa, weight in zip(kappas, weights, strict=True):
        fit = _posterior(counts, kappa, prior)
        expected = fit.probabilities @ scale
        ratings.append(expected)
        masses.append(weight * fit.effects)
        below += weight * (
            fit.effects[:, :_ZERO].sum(axis=1) + fit.effects[:, _ZERO] / 2
        )
        tau += weight * fit.tau
        mean = expected @ _CELLS
        spread += weight * np.sqrt(np.maximum(expected**2 @ _CELLS - mean**2, 0))
    expected, mass = np.concatenate(ratings), np.hstack(masses)
    order = np.argsort(expected, kind="stable")
    tail = (1 - level) / 2
    low, high = _quantiles(expected[order], mass[:, order], (tail, 1 - tail)).T
    tau_cdf = np.cumsum(tau)
    median, upper = np.searchsorted(tau_cdf, [0.5, 1 - tail])
    upper = min(upper, len(TAU_GRID) - 1)
    return {
        "score": mass @ expected / mass.sum(axis=1),
        "score_low": low,
        "score_high": high,
        "prob_below": below,
        "tau_median": np.full(len(counts), TAU_GRID[median]),
        "tau_high": np.full(len(counts), TAU_GRID[upper]),
        "spread": np.full(len(counts), spread[median]),
        "spread_high": np.full(len(counts), spread[upper]),
    }


def _fit_units(
    counts: np.ndarray, units: np.ndarray, scale: np.ndarray, level: float
) -> dict[str, np.ndarray]:
    """Fit every unit on its own and add each official's flag.

    ``counts`` rows are officials, sorted by unit (as ``group_codes`` returns them).
    """
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    parts = [
        _ordinal_grid_fit(counts[start:stop], scale, level)
        for start, stop in zip(starts, np.r_[starts[1:], len(units)], strict=True)
    ]
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    enough = pd.Series(counts.sum(axis=1) >= MIN_RATINGS_TO_COMPARE)
    compared = enough.groupby(units).transform("sum").to_numpy()
    tail = (1 - level) / 2
    below = columns["prob_below"]
    columns["flag"] = np.select(
        [compared < MIN_OFFICIALS_TO_COMPARE, below > 1 - tail, below < tail],
        [TOO_FEW, BELOW, ABOVE],
        NO_DIFFERENCE,
    )
    return columns


def official_ratings(
    responses: pd.DataFrame,
    rating: Hashable = "rating",
    official: Hashable = "official",
    unit: Hashable = "unit",
    *,
    scale: Sequence[float] = (1, 2, 3, 4, 5),
    min_count: int = MIN_SUPPRESS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Score each official against the typical official of their own unit.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per rating. Rows without an official or without a rating are
        not used: the unit's typical official is estimated from the ratings
        of its officials only.
    rating, official, unit : str
        Column names.
    scale : sequence of float
        The rating's categories, lowest first; every rating must be one.
    min_count : int
        Officials with fewer ratings are not ``reportable`` (only their n may
        be shown). They still inform the unit's model.
    level : float
        Level of the intervals and of the flag.

    Returns
    -------
    pandas.DataFrame
        One row per official: ``unit``, ``official``, ``n``; ``score``,
        ``score_low``, ``score_high`` (posterior mean and interval of the
        official's expected rating); ``own_mean``, ``own_low``, ``own_high``
        (mean of their own ratings with its Dirichlet-Perks interval, from
        ``MIN_INTERVAL`` ratings); ``prob_below`` (posterior probability
        that they are below the unit's typical official); ``flag``
        (``"below"``, ``"above"``, ``"no clear difference"``, or ``"too few
        officials"`` when fewer than ``MIN_OFFICIALS_TO_COMPARE`` of the unit's
        officials have ``MIN_RATINGS_TO_COMPARE`` ratings); the unit's
        ``tau_median``, ``tau_high`` (posterior median and upper limit of the
        between-official SD, logit scale), ``spread``, ``spread_high`` (the
        same on the rating's scale); ``reportable`` (``n >= min_count``).

    References
    ----------
    .. [1] Agresti, A. (2010). Analysis of Ordinal Categorical Data, 2nd ed.,
           ch. 10 (random-intercept cumulative logit models). Wiley.
    .. [2] Gelman, A. (2006). Prior distributions for variance parameters in
           hierarchical models. Bayesian Analysis 1(3), 515-534.
    .. [3] Gelman, A., Jakulin, A., Pittau, M. G., Su, Y.-S. (2008). A weakly
           informative default prior distribution for logistic and other
           regression models. Ann. Appl. Stat. 2(4), 1360-1383.
    .. [4] Julier, S. J., Uhlmann, J. K. (2004). Unscented filtering and
           nonlinear estimation. Proc. IEEE 92(3), 401-422.
    .. [5] Dawid, A. P. (1994). Selection paradoxes of Bayesian inference.
           IMS Lecture Notes 24, 211-220.
    .. [6] Perks, W. (1947). Some observations on inverse probability.
           J. Inst. Actuaries 73, 285-334.
    """
    check_frame(responses, "responses")
    level = check_level(level)
    if int(min_count) != min_count or min_count < 1:
        raise ValueError(f"min_count must be a whole number >= 1, got {min_count!r}")
    points = np.asarray(scale, dtype=np.float64)
    if points.ndim != 1 or len(points) < 2 or np.any(np.diff(points) <= 0):
        raise ValueError(
            f"scale must be increasing with two points or more, got {scale!r}"
        )
    check_columns(responses, [rating, official, unit], "rating")
    values = check_numeric(responses, rating, "rating")
    used = (
        ~np.isnan(values)
        & responses[official].notna().to_numpy()
        & responses[unit].notna().to_numpy()
    )
    if not used.any():
        raise ValueError(f"no rating in {rating!r} names an official and a unit")
    values = values[used]
    category = np.minimum(np.searchsorted(points, values), len(points) - 1)
    outside = points[category] != values
    if outside.any():
        raise ValueError(
            f"rating column {rating!r} holds {values[outside][0]!r}, "
            f"not on the scale {scale!r}"
        )
    codes, keys = group_codes(responses[used], [unit, official])
    counts = np.zeros((len(keys), len(points)))
    np.add.at(counts, (codes, category), 1)
    n = counts.sum(axis=1).astype(np.int64)
    fitted = _fit_units(counts, keys[unit].to_numpy(), points, level)
    total = counts @ points
    own_low, own_high = dirichlet_mean_interval(
        n, total, counts @ points**2, (points[0], points[-1]), level, points=points
    )
    enough = n >= MIN_INTERVAL
    table = keys.assign(
        n=n,
        score=fitted["score"],
        score_low=fitted["score_low"],
        score_high=fitted["score_high"],
        own_mean=total / n,
        own_low=np.where(enough, own_low, np.nan),
        own_high=np.where(enough, own_high, np.nan),
        **{name: fitted[name] for name in fitted if not name.startswith("score")},
    )
    table["reportable"] = table["n"] >= min_count
    return table
