"""Exact coverage of a unit's mean and % satisfied intervals, by enumeration.

Every sample of ``n`` answers on a 1-5 scale is one of the multinomial count
vectors of ``n`` into five categories (316 251 of them at n = 50); an interval
that needs only n, the sum and the sum of squares is computed once per count
vector, and its coverage under any true distribution is the sum of the
multinomial probabilities of the vectors whose interval holds the true mean.
No random numbers, no Monte Carlo error. % satisfied is the same with the
binomial. Shared by ``test_coverage_small_n.py`` and
``bench/bench_coverage_small_n.py``.

The criterion is design §1: for every scenario the coverage averaged over its
window lies in [0.93, 0.97] and no true value in the window is covered less
than 90% of the time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from analysis.intervals import dirichlet_mean_interval, t_interval, wilson_interval
from tests.analysis.scenarios import (
    SCALE_POINTS,
    mean_window,
    proportion_window,
    share_satisfied,
)

#: The band a windowed coverage must lie in, and the pointwise floor.
BAND = (0.93, 0.97)
FLOOR = 0.90

#: An interval for the mean from (n, sum, sum of squares) per sample.
MeanInterval = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple]


def dirichlet(n: np.ndarray, total: np.ndarray, total_sq: np.ndarray) -> tuple:
    """The published interval (Dirichlet-Perks), on the 1-5 scale."""
    return dirichlet_mean_interval(n, total, total_sq, (1, 5))


def student_t(n: np.ndarray, total: np.ndarray, total_sq: np.ndarray) -> tuple:
    """The interval published before issue 15: mean -/+ t s / sqrt(n)."""
    mean = total / n
    variance = np.maximum(total_sq - total * mean, 0.0) / (n - 1)
    return t_interval(mean, np.sqrt(variance / n), n - 1)


@dataclass(frozen=True)
class Coverage:
    """Coverage of one interval at one n, per scenario."""

    #: Mean coverage over each scenario's window.
    windowed: np.ndarray
    #: Lowest coverage at any true value of each scenario's window.
    pointwise_min: np.ndarray
    #: Coverage at each scenario itself (the window's centre).
    at_centre: np.ndarray

    def meets_criterion(self) -> bool:
        """Return whether every scenario meets design §1's criterion."""
        return bool(
            (self.windowed >= BAND[0]).all()
            and (self.windowed <= BAND[1]).all()
            and (self.pointwise_min >= FLOOR).all()
        )


def compositions(n: int, parts: int) -> np.ndarray:
    """Return every vector of ``parts`` counts adding to ``n``, one per row.

    Stars and bars: the positions of ``parts - 1`` bars among
    ``n + parts - 1`` places give the counts as the gaps between them.
    """
    places = n + parts - 1
    bars = np.array(list(itertools.combinations(range(places), parts - 1)))
    bars = bars.reshape(-1, parts - 1)
    edges = np.column_stack([np.full(len(bars), -1), bars, np.full(len(bars), places)])
    return np.diff(edges, axis=1) - 1


def mean_coverage(interval: MeanInterval, n: int, scenarios: np.ndarray) -> Coverage:
    """Return the exact coverage of ``interval`` for the mean at sample size ``n``."""
    counts, log_coefficient = _outcomes(n)
    low, high = _limits(interval, n, counts)
    per_window = []
    for scenario in scenarios:
        window = mean_window(scenario)
        truth = (window @ SCALE_POINTS)[:, None]
        probability = _probabilities(window, counts, log_coefficient)
        covered = (low <= truth) & (truth <= high)
        per_window.append(np.einsum("ij,ij->i", probability, covered))
    return _summarise(np.array(per_window))


def median_half_width(n: int, scenarios: np.ndarray) -> float:
    """Return the median over scenarios of the mean interval's expected half-width."""
    counts, log_coefficient = _outcomes(n)
    low, high = _limits(dirichlet, n, counts)
    probability = _probabilities(scenarios, counts, log_coefficient)
    return float(np.median(probability @ ((high - low) / 2)))


def _outcomes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return every count vector (as columns) and its log multinomial coefficient."""
    # Outcomes along the columns: (window, outcomes) products run much faster.
    counts = compositions(n, len(SCALE_POINTS)).T.astype(np.float64)
    log_coefficient = special.gammaln(n + 1) - special.gammaln(counts + 1).sum(axis=0)
    return counts, log_coefficient


def _limits(interval: MeanInterval, n: int, counts: np.ndarray) -> tuple:
    """Return ``interval``'s limits for every count vector."""
    return interval(
        np.full(counts.shape[1], float(n)),
        SCALE_POINTS @ counts,
        SCALE_POINTS**2 @ counts,
    )


def _probabilities(
    distributions: np.ndarray, counts: np.ndarray, log_coefficient: np.ndarray
) -> np.ndarray:
    """Return the multinomial probability of each count vector under each row."""
    # log(0) only meets zero counts where a category is impossible.
    with np.errstate(divide="ignore"):
        log_p = np.where(distributions > 0, np.log(distributions), -1e6)
    probability = log_p @ counts
    probability += log_coefficient
    return np.exp(probability, out=probability)


def wilson_coverage(n: int, scenarios: np.ndarray) -> Coverage:
    """Return the exact coverage of Wilson's interval for % satisfied at ``n``."""
    successes = np.arange(n + 1)
    low, high = wilson_interval(successes, n)

    def covers(truth: np.ndarray) -> np.ndarray:
        probability = stats.binom.pmf(successes[:, None], n, truth)
        return (probability * ((low[:, None] <= truth) & (truth <= high[:, None]))).sum(
            axis=0
        )

    shares = share_satisfied(scenarios)
    windows = np.array([covers(proportion_window(float(p))) for p in shares])
    return Coverage(windows.mean(axis=1), windows.min(axis=1), covers(shares))


def _summarise(per_window: np.ndarray) -> Coverage:
    """Return the window means, minima and centres of (scenarios, window) coverage."""
    centre = per_window.shape[1] // 2
    return Coverage(
        per_window.mean(axis=1), per_window.min(axis=1), per_window[:, centre]
    )
