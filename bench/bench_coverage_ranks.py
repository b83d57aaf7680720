"""Coverage of league tables' rank intervals, before and after issue 15.

For J units (5, 10, 30) with n answers each (10, 30, 100, or "mixed": the
units' sizes cycle through 10, 30, 100), equal units (all
answer the same 1-5 distribution, 92% at 4-5) or spread units (true means 0.1
apart from 4.8 down), it draws ``--tables`` league tables and reports:

- ``separated``: the share of tables where some pair of units is told apart
  (for equal units every such table is wrong; target at most 5%),
- ``joint``: the share of tables whose intervals hold every unit's true rank
  (1 + the number of units with a higher true mean; equal units all rank 1),
- ``marginal``: the share of units whose interval holds its true rank,
- ``length``: the mean of rank_high - rank_low.

"before" is the method up to issue 15: each unit's mean drawn as
``mean + se * t_{n-1}``, ranks by argsort (ties broken by row order), the
central 95% of each unit's bootstrap ranks, and units "told apart" when their
intervals do not overlap. "after" is ``analysis.rank_units`` (step-down max-t
over all pairs from Perks-posterior draws; joint intervals; "separated" when
one unit is shown better than another). The Monte Carlo standard error of a
share near 5% or 95% is sqrt(0.0475 / tables): 0.7 points at 1000 tables.

Run from the repository root (about 20 minutes on one core)::

    python bench/bench_coverage_ranks.py                # 1000 tables per cell
    python bench/bench_coverage_ranks.py --tables 200   # quicker
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.analysis.rank_scenarios import (
    SCALE,
    draw_counts,
    league,
    true_ranks,
    unit_distributions,
)

UNITS = (5, 10, 30)
SIZES = (10, 30, 100)
#: "mixed": the units' sizes cycle through SIZES (small and large units together).
MIXED = 0
SEED = 1515


def before(
    counts: np.ndarray, rng: np.random.Generator, draws: int, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the rank intervals of the method before issue 15 (t bootstrap)."""
    n = counts.sum(axis=1).astype(np.float64)
    mean = counts @ SCALE / n
    variance = (counts @ SCALE**2 - n * mean**2) / (n - 1)
    se = np.sqrt(np.maximum(variance, 0.0) / n)
    noise = rng.standard_t(np.maximum(n - 1, 1)[:, None], (n.size, draws))
    ranks = (-(mean[:, None] + se[:, None] * noise)).argsort(axis=0).argsort(axis=0)
    tail = (1 - level) / 2
    low = np.quantile(ranks + 1, tail, axis=1, method="lower")
    high = np.quantile(ranks + 1, 1 - tail, axis=1, method="higher")
    return low, high


def cell(
    units: int, n: int, spread: bool, tables: int, draws: int
) -> dict[str, tuple[float, float, float, float]]:
    """Return (separated, joint, marginal, length) before and after, for one cell."""
    rng = np.random.default_rng([SEED, units, n, int(spread)])
    distributions = unit_distributions(units, spread)
    truth = true_ranks(distributions)
    sizes = np.resize(SIZES, units) if n == MIXED else n
    found: dict[str, list[tuple[float, float, float, float]]] = {
        "before": [],
        "after": [],
    }
    for counts in draw_counts(rng, distributions, sizes, tables):
        old_low, old_high = before(counts, rng, draws)
        apart = (old_high[:, None] < old_low[None, :]).any()
        found["before"].append(_scores(old_low, old_high, truth, apart))
        new = league(counts, rng, draws)
        found["after"].append(
            _scores(new.rank_low, new.rank_high, truth, new.better.any())
        )
    return {name: tuple(np.mean(rows, axis=0)) for name, rows in found.items()}


def _scores(
    low: np.ndarray, high: np.ndarray, truth: np.ndarray, apart: bool
) -> tuple[float, float, float, float]:
    covered = (low <= truth) & (truth <= high)
    return (
        float(apart),
        float(covered.all()),
        float(covered.mean()),
        float(np.mean(high - low)),
    )


def tie_case(draws: int) -> None:
    """Print the rank intervals of three units of twenty 5s, before and after."""
    counts = np.array([[0, 0, 0, 0, 20]] * 3)
    low, high = before(counts, np.random.default_rng(SEED), draws)
    new = league(counts, np.random.default_rng(SEED), draws)
    print("Three units, twenty 5s each:")
    print("  before:", [f"[{a:.0f}, {b:.0f}]" for a, b in zip(low, high, strict=True)])
    print(
        "  after: ",
        [
            f"[{a:.0f}, {b:.0f}]"
            for a, b in zip(new.rank_low, new.rank_high, strict=True)
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=2000)
    options = parser.parse_args()
    tie_case(options.draws)
    print(f"\n{options.tables} tables per cell, {options.draws} draws, seed {SEED}\n")
    print(
        "| units | J | n | separated before / after | joint coverage before / after "
        "| marginal before / after | mean length before / after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for spread in (False, True):
        for units in UNITS:
            for n in (*SIZES, MIXED):
                found = cell(units, n, spread, options.tables, options.draws)
                old, new = found["before"], found["after"]
                print(
                    f"| {'spread' if spread else 'equal'} | {units} "
                    f"| {n or 'mixed'} "
                    f"| {old[0]:.3f} / {new[0]:.3f} | {old[1]:.3f} / {new[1]:.3f} "
                    f"| {old[2]:.3f} / {new[2]:.3f} | {old[3]:.1f} / {new[3]:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
