"""Coverage of officials' intervals over the full scenario grid, before and after.

"Before" is ``official_ratings`` as it was before issue 15 (normal-normal
empirical Bayes, read from git at commit ``BEFORE``), fitted one unit at a time
as the reports did (with ``min_count=2``, so that every official informs tau^2);
"after" is the per-unit ordinal model. Scenarios
(``docs/statistics-design.md`` section 6.1): J officials per unit in {3, 10},
mean ratings per official in {3, 5, 10, 30, 200}, between-official SD tau (logit
scale) in {0, 0.4, 0.8, 1.5}, normal or mixture official effects. Columns:
coverage (A) over officials, (B) lowest/highest estimate per unit, (C)
lowest/highest true value; the own-ratings interval's (C) (officials with at
least ``MIN_INTERVAL`` ratings); the share of units with any official
flagged; milliseconds per unit.

Run from the repository root (two processes, about five minutes)::

    python bench/bench_coverage_officials.py --units 400 --processes 2
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
import types
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.officials import official_ratings  # noqa: E402
from tests.analysis.officials_scenarios import (  # noqa: E402
    Cell,
    coverage,
    ratings,
    simulate,
)

#: The last commit with the normal-normal empirical-Bayes method.
BEFORE = "8f951e5"


def _before_method() -> types.FunctionType:
    """Load ``official_ratings`` as it was at ``BEFORE``."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:analysis/officials.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    module = types.ModuleType("officials_before")
    exec(compile(source, "officials_before", "exec"), module.__dict__)
    return module.official_ratings


def scenarios() -> list[Cell]:
    """Return the 80 cells, in the order (and so with the seeds) of the tables."""
    return [
        Cell(officials, mean_n, tau, mixture)
        for mixture, officials, mean_n, tau in itertools.product(
            (False, True), (10, 3), (3, 5, 10, 30, 200), (0.0, 0.4, 0.8, 1.5)
        )
    ]


def _run(job: tuple[Cell, int, int]) -> dict[str, object]:
    cell, units, seed = job
    rng = np.random.default_rng(seed)
    truth = simulate(cell, units, rng)
    frame = ratings(truth)
    started = time.perf_counter()
    after = official_ratings(frame).merge(truth, on=["unit", "official"])
    elapsed = (time.perf_counter() - started) / units * 1000
    before_fit = _before_method()
    before = pd.concat(
        [before_fit(group, min_count=2) for _, group in frame.groupby("unit")]
    ).merge(truth, on=["unit", "official"])
    flagged = after["flag"].isin(["below", "above"]).groupby(after["unit"]).any()
    row: dict[str, object] = {
        "J": cell.officials, "n": cell.mean_n, "tau": cell.tau,
        "generator": "mixture" if cell.mixture else "normal",
    }  # fmt: skip
    for name, value in coverage(before, "shrunk", "shrunk_low", "shrunk_high").items():
        row[f"before_{name}"] = value
    for name, value in coverage(after, "score", "score_low", "score_high").items():
        row[name] = value
    own = coverage(after, "own_mean", "own_low", "own_high")
    row["own_C_low"], row["own_C_high"] = own["C_low"], own["C_high"]
    row["units_flagged"] = float(flagged.mean())
    row["ms_per_unit"] = elapsed
    return row


def _markdown(table: pd.DataFrame) -> str:
    """Return the table as Markdown, three decimals."""
    cells = table.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    lines = [list(table.columns), ["---"] * len(table.columns), *cells.values.tolist()]
    return "\n".join("| " + " | ".join(map(str, line)) + " |" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1500)
    args = parser.parse_args()
    jobs = [(cell, args.units, args.seed + i) for i, cell in enumerate(scenarios())]
    with Pool(args.processes) as pool:
        rows = pool.map(_run, jobs, chunksize=1)
    table = pd.DataFrame(rows)
    print(
        f"units per cell: {args.units}; MC SE of a 95% coverage for (B)/(C): "
        f"{np.sqrt(0.0475 / args.units):.3f}"
    )
    print(_markdown(table))


if __name__ == "__main__":
    main()
