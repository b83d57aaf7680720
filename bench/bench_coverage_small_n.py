"""Coverage of a unit's mean and % satisfied intervals at small n (issue 15).

For the 25 ceiling-effect scenarios of ``tests/analysis/scenarios.py`` and
n in {3, 5, 8, 10, 15, 20, 30, 50, 100, 200}: the coverage of Student's t
interval (before issue 15), of the Dirichlet-Perks interval (after) and of
Wilson's interval for % satisfied, judged by design §1's criterion (coverage
averaged over each scenario's window in [0.93, 0.97], no true value in a
window below 0.90). Exact enumeration up to n = 50 and for Wilson; the mean at
n = 100 and 200 by Monte Carlo (4000 samples per true value of a window,
seeded). Then every n from 3 to 50, exactly, for the thresholds:
``MIN_INTERVAL`` (the smallest n from which both intervals meet the criterion
at every larger n: every n up to 50, and 100 and 200) and ``MIN_PUBLISH``
(the smallest n whose median expected half-width of the mean's interval, over
the scenarios, is at most 0.25 on the 1-5 scale). Last, dimension scores (the
mean of three correlated items, not on the 1-5 grid) by Monte Carlo at the
scenario itself. Prints markdown tables.

Run from the repository root (a few minutes, never in CI)::

    python bench/bench_coverage_small_n.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.results import MIN_INTERVAL
from tests.analysis.exact_coverage import (
    Coverage,
    MeanInterval,
    dirichlet,
    mean_coverage,
    median_half_width,
    student_t,
    wilson_coverage,
)
from tests.analysis.scenarios import (
    SCALE_POINTS,
    ceiling_distributions,
    mean_window,
)

SIZES = (3, 5, 8, 10, 15, 20, 30, 50, 100, 200)
#: Largest n enumerated exactly (316 251 samples); above it, Monte Carlo.
EXACT_UP_TO = 50
REPETITIONS = 4000
SEED = 1515
#: Dimension scores: items per dimension, and the chance an item repeats the
#: respondent's general opinion (else it is an independent answer).
DIMENSION_ITEMS = 3
ITEM_AGREEMENT = 0.7
DIMENSION_SIZES = (MIN_INTERVAL, 30, 50, 100)
#: The "reliable" flag: a 95% interval no wider than +/- 0.25 on the 1-5 scale.
RELIABLE_HALF_WIDTH = 0.25


def sampled_mean_coverage(
    interval: MeanInterval, n: int, scenarios: np.ndarray, rng: np.random.Generator
) -> Coverage:
    """Return the Monte Carlo coverage of ``interval`` over each scenario's window."""
    per_window = []
    for scenario in scenarios:
        window = mean_window(scenario)
        covered = []
        for truth, distribution in zip(window @ SCALE_POINTS, window, strict=True):
            counts = rng.multinomial(n, distribution, size=REPETITIONS)
            low, high = interval(
                np.full(REPETITIONS, float(n)),
                counts @ SCALE_POINTS,
                counts @ SCALE_POINTS**2,
            )
            covered.append(((low <= truth) & (truth <= high)).mean())
        per_window.append(covered)
    per_window = np.array(per_window)
    centre = per_window.shape[1] // 2
    return Coverage(
        per_window.mean(axis=1), per_window.min(axis=1), per_window[:, centre]
    )


def sampled_half_width(
    n: int, scenarios: np.ndarray, rng: np.random.Generator
) -> float:
    """Return the Monte Carlo median over scenarios of the mean's half-width."""
    widths = []
    for distribution in scenarios:
        counts = rng.multinomial(n, distribution, size=REPETITIONS)
        low, high = dirichlet(
            np.full(REPETITIONS, float(n)),
            counts @ SCALE_POINTS,
            counts @ SCALE_POINTS**2,
        )
        widths.append(np.mean(high - low) / 2)
    return float(np.median(widths))


def dimension_coverage(
    interval: MeanInterval, n: int, scenarios: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Return the Monte Carlo coverage of ``interval`` for a dimension's mean score.

    Each respondent has a general opinion drawn from the scenario; each of the
    dimension's items repeats it with probability ``ITEM_AGREEMENT``, else is an
    independent answer from the scenario, so every item (and the dimension's
    mean score) has the scenario's mean and the items are correlated.
    """
    covered = []
    for distribution in scenarios:
        shape = (REPETITIONS, n)
        opinion = rng.choice(SCALE_POINTS, size=(*shape, 1), p=distribution)
        own = rng.choice(SCALE_POINTS, size=(*shape, DIMENSION_ITEMS), p=distribution)
        agree = rng.random((*shape, DIMENSION_ITEMS)) < ITEM_AGREEMENT
        scores = np.where(agree, opinion, own).mean(axis=2)
        low, high = interval(
            np.full(REPETITIONS, float(n)),
            scores.sum(axis=1),
            (scores**2).sum(axis=1),
        )
        truth = distribution @ SCALE_POINTS
        covered.append(((low <= truth) & (truth <= high)).mean())
    return np.array(covered)


def cell(coverage: Coverage) -> str:
    """Format windowed min-max, pointwise min and whether the criterion holds."""
    verdict = "yes" if coverage.meets_criterion() else "no"
    return (
        f"{coverage.windowed.min():.3f}–{coverage.windowed.max():.3f} | "
        f"{coverage.pointwise_min.min():.3f} | {verdict}"
    )


def main() -> None:
    """Print the coverage tables and the thresholds they give."""
    scenarios = ceiling_distributions()
    rng = np.random.default_rng(SEED)
    rows, meets = [], {}
    started = time.perf_counter()
    for n in SIZES:
        if n <= EXACT_UP_TO:
            before = mean_coverage(student_t, n, scenarios)
            after = mean_coverage(dirichlet, n, scenarios)
            width = median_half_width(n, scenarios)
        else:
            before = sampled_mean_coverage(student_t, n, scenarios, rng)
            after = sampled_mean_coverage(dirichlet, n, scenarios, rng)
            width = sampled_half_width(n, scenarios, rng)
        share = wilson_coverage(n, scenarios)
        meets[n] = after.meets_criterion() and share.meets_criterion()
        how = "exact" if n <= EXACT_UP_TO else f"MC {REPETITIONS}"
        rows.append(
            f"| {n} | {how} | {cell(before)} | {cell(after)} | {cell(share)} | "
            f"{width:.2f} |"
        )
        print(f"n = {n} done after {time.perf_counter() - started:.0f} s", flush=True)
    print(
        "\n| n | mean computed | t (before): windowed min–max | pointwise min | "
        "meets | Dirichlet–Perks (after): windowed min–max | pointwise min | meets | "
        "Wilson % satisfied: windowed min–max | pointwise min | meets | "
        "median half-width of the mean's interval |"
    )
    print("| " + " | ".join(["---"] * 12) + " |")
    print("\n".join(rows))
    print("\nEvery n from 3 to 50, exact:\n")
    print(
        "| n | mean: windowed min–max | pointwise min | meets | "
        "Wilson: windowed min–max | pointwise min | meets | median half-width |"
    )
    print("| " + " | ".join(["---"] * 8) + " |")
    widths = {}
    for n in range(3, EXACT_UP_TO + 1):
        after = mean_coverage(dirichlet, n, scenarios)
        share = wilson_coverage(n, scenarios)
        meets[n] = after.meets_criterion() and share.meets_criterion()
        widths[n] = median_half_width(n, scenarios)
        print(f"| {n} | {cell(after)} | {cell(share)} | {widths[n]:.3f} |", flush=True)
    checked = sorted(meets)
    from_here = [n for n in checked if all(meets[m] for m in checked if m >= n)]
    precise = [n for n in sorted(widths) if widths[n] <= RELIABLE_HALF_WIDTH]
    print(
        f"\nMIN_INTERVAL = {min(from_here) if from_here else None} (smallest n from"
        " which both intervals meet the criterion at every n checked above it)"
    )
    print(
        f"MIN_PUBLISH = {min(precise) if precise else None} (smallest n whose median"
        f" expected half-width is at most {RELIABLE_HALF_WIDTH})"
    )
    print(
        f"\nDimension scores ({DIMENSION_ITEMS} items, agreement {ITEM_AGREEMENT}), "
        f"MC {REPETITIONS} per scenario, coverage min–max over the scenarios:\n"
    )
    print("| n | t (before) | Dirichlet–Perks (after) |")
    print("| --- | --- | --- |")
    for n in DIMENSION_SIZES:
        before = dimension_coverage(student_t, n, scenarios, rng)
        after = dimension_coverage(dirichlet, n, scenarios, rng)
        print(
            f"| {n} | {before.min():.3f}–{before.max():.3f} | "
            f"{after.min():.3f}–{after.max():.3f} |",
            flush=True,
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
