"""League tables drawn at random, for the rank tests and bench/bench_coverage_ranks.py.

Units answer on 1-5 with a ceiling (92% answer 4 or 5 in the base
distribution). "Equal" units all answer the base distribution; "spread" units
have true means 0.1 apart from 4.8 down, each the base distribution tilted
(p_k proportional to base_k * exp(lambda * k)) to reach its mean.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from analysis.intervals import perks_moments
from analysis.rank_inference import Separations, beta_errors, separations

SCALE = np.arange(1.0, 6.0)
#: 1-5 answers with 92% at 4 or 5 (D92 of docs/statistics-design.md section 2.2).
BASE = np.array([0.01, 0.02, 0.05, 0.32, 0.60])
TOP_MEAN, STEP = 4.8, 0.1


def tilted(mean: float) -> np.ndarray:
    """Return the base distribution tilted exponentially to have ``mean``."""

    def gap(tilt: float) -> float:
        weights = BASE * np.exp(tilt * (SCALE - 3))
        return float(weights @ SCALE / weights.sum() - mean)

    tilt = optimize.brentq(gap, -30.0, 30.0, xtol=1e-12)
    weights = BASE * np.exp(tilt * (SCALE - 3))
    return weights / weights.sum()


def unit_distributions(units: int, spread: bool) -> np.ndarray:
    """Return (units, 5) answer probabilities: all the base, or means 0.1 apart."""
    if not spread:
        return np.tile(BASE, (units, 1))
    return np.array([tilted(TOP_MEAN - STEP * unit) for unit in range(units)])


def true_ranks(distributions: np.ndarray) -> np.ndarray:
    """Return the true ranks of the units' means (1 = highest, ties share the best)."""
    means = distributions @ SCALE
    return 1 + (means[None, :] > means[:, None] + 1e-12).sum(axis=1)


def draw_counts(
    rng: np.random.Generator,
    distributions: np.ndarray,
    n: int | np.ndarray,
    tables: int,
) -> np.ndarray:
    """Return (tables, units, 5) answer counts: ``n`` answers per unit, or n[unit]."""
    return rng.multinomial(n, distributions, size=(tables, len(distributions)))


def league(
    counts: np.ndarray, rng: np.random.Generator, draws: int, level: float = 0.95
) -> Separations:
    """Compare one table's units as ``analysis.rank_units`` does (higher is better)."""
    n = counts.sum(axis=1).astype(np.float64)
    mean, variance = perks_moments(n, counts @ SCALE, counts @ SCALE**2, SCALE)
    errors = beta_errors(mean, variance, (1.0, 5.0), rng, draws)
    return separations(mean, variance, errors, level)
