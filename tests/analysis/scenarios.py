"""Ceiling-effect rating distributions shared by the coverage tests and benches.

Satisfaction surveys see 85-97% of answers at 4 or 5 on the 1-5 scale, so the
answers of a small unit are often all the same. These 25 distributions of the
answers 1..5 are the scenarios of docs/statistics-design.md §2.2 and §6.1: five
chosen by hand (the issue's examples) and twenty drawn once, with
``numpy.random.default_rng(15)``, from Dirichlet(0.5 * (1, 1, 2, 8, 12)) and
kept when 85-97% of their mass is at 4 or 5 (rounded to three decimals, the last
category taking the rest). They are frozen here so every run judges the same
cases.

A scenario's *window* is the set of true distributions within +/- 2% of the
scale's range of its own (design §1: coverage is judged on average over a
window of true values, as Brown, Cai and DasGupta 2001 judge binomial
intervals, because no non-randomised interval for discrete data covers
93-97% at every single value). For the mean the window is the exponential
tilt ``p_k exp(t s_k)`` of the distribution whose mean moves by up to
+/- 0.08 (2% of 1-5); for % satisfied it is p +/- 0.02 within 85-97%.
"""

from __future__ import annotations

import numpy as np

#: The answer values.
SCALE_POINTS = np.arange(1.0, 6.0)
#: Answers counted as satisfied: 4 (Hài lòng) and 5 (Rất hài lòng).
SATISFIED_FROM = 4

#: Name and probabilities of answers 1..5.
CEILING = {
    "D85": (0.02, 0.03, 0.10, 0.45, 0.40),
    "D92": (0.01, 0.02, 0.05, 0.32, 0.60),
    "D97": (0.005, 0.005, 0.02, 0.17, 0.80),
    "D97b": (0.0, 0.0, 0.03, 0.20, 0.77),
    "angry": (0.07, 0.01, 0.02, 0.30, 0.60),
    "R01": (0.036, 0.022, 0.045, 0.352, 0.545),
    "R02": (0.044, 0.005, 0.076, 0.307, 0.568),
    "R03": (0.114, 0.01, 0.012, 0.145, 0.719),
    "R04": (0.068, 0.005, 0.002, 0.366, 0.559),
    "R05": (0.014, 0.014, 0.016, 0.291, 0.665),
    "R06": (0.027, 0.018, 0.04, 0.467, 0.448),
    "R07": (0.03, 0.041, 0.061, 0.27, 0.598),
    "R08": (0.007, 0.02, 0.003, 0.224, 0.746),
    "R09": (0.013, 0.039, 0.011, 0.412, 0.525),
    "R10": (0.023, 0.015, 0.074, 0.181, 0.707),
    "R11": (0.007, 0.043, 0.092, 0.124, 0.734),
    "R12": (0.06, 0.009, 0.053, 0.496, 0.382),
    "R13": (0.072, 0.012, 0.002, 0.375, 0.539),
    "R14": (0.032, 0.043, 0.031, 0.32, 0.574),
    "R15": (0.023, 0.003, 0.103, 0.403, 0.468),
    "R16": (0.015, 0.007, 0.009, 0.657, 0.312),
    "R17": (0.003, 0.0, 0.097, 0.414, 0.486),
    "R18": (0.001, 0.009, 0.069, 0.336, 0.585),
    "R19": (0.002, 0.052, 0.03, 0.31, 0.606),
    "R20": (0.011, 0.033, 0.011, 0.394, 0.551),
}

#: The share of answers at 4 or 5 that defines a ceiling scenario.
CEILING_RANGE = (0.85, 0.97)
#: Half-width of a window, as a share of the scale's range.
WINDOW_SHARE = 0.02
#: Number of true values a window averages over (its centre is one of them):
#: tilts of a distribution for the mean, a 0.001 grid for a proportion.
WINDOW_POINTS = 9
PROPORTION_WINDOW_POINTS = 41


def ceiling_distributions() -> np.ndarray:
    """Return the 25 scenarios as a (25, 5) array, in the order of ``CEILING``."""
    return np.array(list(CEILING.values()))


def share_satisfied(distributions: np.ndarray) -> np.ndarray:
    """Return each distribution's probability of an answer of 4 or 5."""
    return distributions[..., SATISFIED_FROM - 1 :].sum(axis=-1)


def mean_window(distribution: np.ndarray) -> np.ndarray:
    """Return the distributions of one scenario's window for the mean.

    Tilts ``p_k exp(t s_k)`` with ``t`` chosen (by bisection: the mean grows
    with ``t``) so that the means are equally spaced over the scenario's mean
    +/- 2% of the range. Categories of probability zero stay zero.
    """
    span = SCALE_POINTS[-1] - SCALE_POINTS[0]
    centre = float(distribution @ SCALE_POINTS)
    targets = centre + WINDOW_SHARE * span * np.linspace(-1, 1, WINDOW_POINTS)
    low, high = np.full(WINDOW_POINTS, -20.0), np.full(WINDOW_POINTS, 20.0)
    for _ in range(80):
        middle = (low + high) / 2
        above = _tilted(distribution, middle) @ SCALE_POINTS > targets
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    return _tilted(distribution, (low + high) / 2)


def proportion_window(p: float) -> np.ndarray:
    """Return the true proportions of one scenario's window.

    p +/- 0.02 on a 0.001 grid, kept inside the ceiling range 85-97% that
    defines the scenarios (design §1 judges Wilson on p in [0.85, 0.97]).
    """
    low, high = (
        max(p - WINDOW_SHARE, CEILING_RANGE[0]),
        min(p + WINDOW_SHARE, CEILING_RANGE[1]),
    )
    return np.linspace(low, high, PROPORTION_WINDOW_POINTS)


def _tilted(distribution: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Return ``distribution`` tilted by each ``tilt`` (rows), renormalised."""
    centred = SCALE_POINTS - SCALE_POINTS.mean()
    weights = distribution * np.exp(np.outer(tilt, centred))
    return weights / weights.sum(axis=1, keepdims=True)
