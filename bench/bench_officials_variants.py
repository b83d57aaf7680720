"""Coverage of officials' intervals under other priors: a record of what was tried.

Issue 15 asked whether a heavier-tailed distribution of the officials' effects
(robust to the mixture generator of ``bench_coverage_officials.py``) or another
prior on tau would bring (A) and (B) into 93-97% in every cell. This script
replaces the prior of ``analysis.officials`` (its cell masses given tau and
the prior mass of each tau) in each worker and runs the same 80 cells with the
same seeds, printing per-cell coverage and the min-max summary; the findings
are in ``docs/methodology.md`` section 7. The effects are normal or Student t
with ``--df`` degrees of freedom, scaled so that tau is their SD (for ``df``
<= 2, tau is the scale); tau's prior is half-Cauchy, half-normal or half-t(3)
with scale ``--tau-scale``.

Run from the repository root (two processes, about two minutes)::

    python bench/bench_officials_variants.py --effects t --df 3 --units 400
"""

from __future__ import annotations

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import analysis.officials as officials  # noqa: E402
from bench.bench_coverage_officials import scenarios  # noqa: E402
from tests.analysis.officials_scenarios import (  # noqa: E402
    Cell,
    coverage,
    ratings,
    simulate,
)

#: Prior of tau: its CDF on [0, inf) given the scale.
TAU_PRIORS = {
    "cauchy": lambda x: 2 * stats.cauchy.cdf(x) - 1,
    "normal": lambda x: 2 * stats.norm.cdf(x) - 1,
    "t3": lambda x: 2 * stats.t.cdf(x, 3) - 1,
}


def _prior(
    effects: str, df: float, tau_prior: str, tau_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the cell masses given each tau and log P(tau), as ``_prior_cells``."""
    grid, taus = officials.B_GRID, officials.TAU_GRID
    step = grid[1] - grid[0]
    law = stats.norm if effects == "normal" else stats.t(df)
    sd = np.sqrt(df / (df - 2)) if effects == "t" and df > 2 else 1.0
    scale = taus[1:] / sd
    cells = law.cdf((grid[:, None] + step / 2) / scale) - law.cdf(
        (grid[:, None] - step / 2) / scale
    )
    at_zero = (np.abs(grid) < step / 2).astype(np.float64)[:, None]
    cells = np.hstack([at_zero, cells])
    cells /= cells.sum(axis=0, keepdims=True)
    edges = np.concatenate([[0.0], (taus[:-1] + taus[1:]) / 2, [np.inf]])
    return cells, np.log(np.diff(TAU_PRIORS[tau_prior](edges / tau_scale)))


def _use(prior: tuple[np.ndarray, np.ndarray]) -> None:
    officials._CELLS, officials._LOG_TAU_PRIOR = prior


def _run(job: tuple[Cell, int, int]) -> dict[str, object]:
    cell, units, seed = job
    truth = simulate(cell, units, np.random.default_rng(seed))
    started = time.perf_counter()
    fitted = officials.official_ratings(ratings(truth))
    elapsed = (time.perf_counter() - started) / units * 1000
    row: dict[str, object] = {
        "J": cell.officials, "n": cell.mean_n, "tau": cell.tau,
        "generator": "mixture" if cell.mixture else "normal",
    }  # fmt: skip
    merged = fitted.merge(truth, on=["unit", "official"])
    row.update(coverage(merged, "score", "score_low", "score_high"))
    row["ms_per_unit"] = elapsed
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effects", choices=("normal", "t"), default="t")
    parser.add_argument("--df", type=float, default=3.0)
    parser.add_argument("--tau-prior", choices=sorted(TAU_PRIORS), default="cauchy")
    parser.add_argument("--tau-scale", type=float, default=2.5)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1500)
    args = parser.parse_args()
    prior = _prior(args.effects, args.df, args.tau_prior, args.tau_scale)
    jobs = [(cell, args.units, args.seed + i) for i, cell in enumerate(scenarios())]
    with Pool(args.processes, initializer=_use, initargs=(prior,)) as pool:
        table = pd.DataFrame(pool.map(_run, jobs, chunksize=1))
    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print(table.round(3).to_string(index=False))
    null = (table["tau"] == 0) & (table["generator"] == "normal")
    for name, rows in (("tau = 0, normal", table[null]), ("others", table[~null])):
        ranges = [
            f"{c} {rows[c].min():.3f}-{rows[c].max():.3f} ({rows[c].mean():.3f})"
            for c in ("A", "B_low", "B_high", "C_low", "C_high")
        ]
        print(f"{name}: " + "; ".join(ranges))
    print(
        f"cells with B_low < 0.93: {(table['B_low'] < 0.93).sum()}; "
        f"B_high > 0.97: {(table['B_high'] > 0.97).sum()}; "
        f"ms per unit {table['ms_per_unit'].min():.1f}-"
        f"{table['ms_per_unit'].max():.1f}"
    )


if __name__ == "__main__":
    main()
