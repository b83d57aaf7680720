"""Which units can be told apart, and the rank intervals that follow from it.

A league table says "unit A ranks above unit B" only when the data show A's
mean is higher. Judged pair by pair, some of the many pairs of equal units
would look different by chance (with ten equal units, 11% of tables showed a
separation when marginal rank intervals were read that way), so the pairs are
judged together: the step-down max-t procedure of Romano and Wolf controls the
chance of declaring *any* equal pair different, and the rank intervals that
follow cover all the true ranks at once (Mogstad, Romano, Shaikh and Wilhelm
2024).

Each unit's sampling error is drawn from the unit's posterior of its mean under
a Dirichlet prior with the Perks constant (1/K on each of the K scale points),
matched to a beta on the scale's range: a unit whose answers are all 5 still has
an uncertain mean, so identical units are never told apart and zero spread does
not make a unit look certain.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_lowercase

import numpy as np

from analysis.intervals import matched_beta

#: Pairs whose bootstrap statistics are held in memory at once (pairs x draws).
PAIR_BLOCK = 256


@dataclass(frozen=True)
class Separations:
    """Which units are shown better than which, and the rank intervals implied.

    ``better[j, k]`` is True when unit j is shown better than unit k. The
    ``joint`` intervals cover every unit's true rank at once; the ``marginal``
    ones cover one unit's rank (each unit's comparisons judged on their own).
    """

    better: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    rank_low_marginal: np.ndarray
    rank_high_marginal: np.ndarray


def beta_errors(
    mean: np.ndarray,
    variance: np.ndarray,
    bounds: tuple[float, float],
    rng: np.random.Generator,
    draws: int,
) -> np.ndarray:
    """Draw each group's error around ``mean`` from the beta matched to its moments.

    The beta lives on ``bounds`` (the scale's range) with the given mean and
    variance; the result is (groups, draws), each row centred on zero.
    """
    low, high = bounds
    first, second = matched_beta(mean, variance, bounds)
    shape = (mean.size, draws)
    sample = rng.beta(
        np.broadcast_to(first[:, None], shape),
        np.broadcast_to(second[:, None], shape),
    )
    return low + (high - low) * sample - mean[:, None]


def separations(
    estimate: np.ndarray,
    variance: np.ndarray,
    errors: np.ndarray,
    level: float,
) -> Separations:
    """Tell which units are better than which, all pairs judged together.

    Unit j is better than unit k when ``T_jk = (estimate_j - estimate_k) /
    sqrt(variance_j + variance_k)`` exceeds the ``level`` quantile, over the
    draws, of the largest ``(errors_j - errors_k) / sqrt(...)`` among the
    pairs not yet shown apart; the quantile is recomputed without the pairs
    just shown apart until no new pair is (step-down). Higher is better: negate
    the estimates and errors to rank the lowest first.

    Parameters
    ----------
    estimate, variance : numpy.ndarray
        Each unit's estimate and the variance of its error (positive).
    errors : numpy.ndarray
        (units, draws): draws of each unit's error, the same draws for all pairs.
    level : float
        Chance that no equal pair is declared different, and that the joint
        rank intervals hold every true rank.

    Returns
    -------
    Separations
        The joint comparisons and the joint and marginal rank intervals
        (``rank_low = 1 + #units better``, ``rank_high = J - #units worse``).

    References
    ----------
    .. [1] Romano, J. P., Wolf, M. (2005). Exact and approximate stepdown
           methods for multiple hypothesis testing. JASA 100(469), 94-108.
    .. [2] Mogstad, M., Romano, J. P., Shaikh, A. M., Wilhelm, D. (2024).
           Inference for ranks with applications to mobility across
           neighbourhoods and academic achievement across countries. Review
           of Economic Studies 91(1), 476-518.
    """
    units = estimate.size
    scale = np.sqrt(variance[:, None] + variance[None, :])
    statistic = (estimate[:, None] - estimate[None, :]) / scale
    pairs = ~np.eye(units, dtype=bool)
    better = _step_down(statistic, scale, errors, pairs, level)
    low, high = np.empty(units), np.empty(units)
    for unit in range(units):
        own = np.zeros((units, units), dtype=bool)
        own[unit], own[:, unit] = pairs[unit], pairs[:, unit]
        shown = _step_down(statistic, scale, errors, own, level)
        low[unit] = 1 + shown[:, unit].sum()
        high[unit] = units - shown[unit].sum()
    return Separations(
        better=better,
        rank_low=1.0 + better.sum(axis=0),
        rank_high=float(units) - better.sum(axis=1),
        rank_low_marginal=low,
        rank_high_marginal=high,
    )


def _step_down(
    statistic: np.ndarray,
    scale: np.ndarray,
    errors: np.ndarray,
    family: np.ndarray,
    level: float,
) -> np.ndarray:
    """Return the pairs of ``family`` (j better than k) shown apart, step by step."""
    shown = np.zeros_like(family)
    while True:
        left = family & ~shown
        if not left.any():
            return shown
        critical = np.quantile(
            _largest_error(scale, errors, left), level, method="higher"
        )
        new = left & (statistic > critical)
        if not new.any():
            return shown
        shown |= new


def _largest_error(
    scale: np.ndarray, errors: np.ndarray, pairs: np.ndarray
) -> np.ndarray:
    """Return, per draw, the largest standardised error difference over ``pairs``."""
    first, second = np.nonzero(pairs)
    largest = np.full(errors.shape[1], -np.inf)
    for start in range(0, first.size, PAIR_BLOCK):
        j, k = first[start : start + PAIR_BLOCK], second[start : start + PAIR_BLOCK]
        block = (errors[j] - errors[k]) / scale[j, k][:, None]
        np.maximum(largest, block.max(axis=0), out=largest)
    return largest


def compact_letters(different: np.ndarray, order: np.ndarray) -> list[str]:
    """Give units letters so that two share a letter unless shown different.

    Piepho's insert-and-absorb algorithm: start with one letter for all; for
    each pair shown different, split every letter holding both into one
    without each, then drop letters whose units another letter already holds.
    Letters are named a, b, ... in the order of the best unit (by ``order``,
    best first) each holds.

    References
    ----------
    .. [1] Piepho, H.-P. (2004). An algorithm for a letter-based representation
           of all-pairwise comparisons. Journal of Computational and Graphical
           Statistics 13(2), 456-466.
    """
    units = different.shape[0]
    if units == 0:
        return []
    letters = np.ones((1, units), dtype=bool)
    for j, k in zip(*np.nonzero(np.triu(different)), strict=True):
        both = letters[:, j] & letters[:, k]
        if not both.any():
            continue
        without_j, without_k = letters[both], letters[both]
        without_j[:, j] = False
        without_k[:, k] = False
        letters = _absorbed(np.vstack([letters[~both], without_j, without_k]))
    place = np.empty(units, dtype=np.int64)
    place[order] = np.arange(units)
    letters = letters[
        sorted(range(len(letters)), key=lambda row: sorted(place[letters[row]]))
    ]
    names = np.array([_letter_name(number) for number in range(len(letters))])
    return ["".join(names[letters[:, unit]]) for unit in range(units)]


def _absorbed(letters: np.ndarray) -> np.ndarray:
    """Drop letters (rows) that repeat an earlier one or lie inside another."""
    members = letters.astype(np.int64)
    inside = members @ (1 - members).T == 0  # inside[a, b]: a's units all in b
    repeated = np.tril(inside & inside.T, k=-1)
    return letters[~(inside & ~inside.T | repeated).any(axis=1)]


def _letter_name(number: int) -> str:
    """Name the letter ``number``: a..z, then aa, ab, ... (bijective base 26)."""
    name = ""
    number += 1
    while number:
        number, digit = divmod(number - 1, 26)
        name = ascii_lowercase[digit] + name
    return name
