"""Coverage of the design proportion's intervals near 100%, before and after issue 15.

Stratified cluster samples (3 strata, PSUs with replacement, PSU effect SD 0.5
on the log-odds scale, weights 1-3 by stratum, 10% of answers missing at
random; ``tests/analysis/design_samples.py``), estimated for the whole sample
("sample") and for three units that cut across the PSUs ("unit", each row in
one of three units at random). Columns: share of estimates at exactly 0 or 1,
then coverage of each interval. "before" is the interval before issue 15:
logit with df counted on the rows where the answer is present and no interval
at 0 or 1 (counted as not covering). The others are ``SurveyDesign.proportion``
with each ``method`` (R's ``svyciprop``; Korn-Graubard with n_eff = n at 0
and 1 except for "mean", which keeps R's zero-width interval there).

Run from the repository root (about a minute)::

    python bench/bench_design_coverage.py [--repetitions 5000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import SurveyDesign
from analysis.intervals import logit_interval
from analysis.proportions import SURVEY_PROPORTION_METHODS
from tests.analysis.design_samples import cluster_samples

PROPORTIONS = (0.90, 0.95, 0.97, 0.99)
SIZES = ((2, 10), (4, 10), (4, 25), (8, 25))  # (PSUs per stratum, rows per PSU)


def coverage_row(p: float, psus: int, per_psu: int, level: str, reps: int) -> str:
    """Return one markdown row: the cell, its boundary share and each coverage."""
    rng = np.random.default_rng(int(p * 1000) + 10 * psus + per_psu)
    frame = cluster_samples(rng, reps, p, psus=psus, per_psu=per_psu)
    by = ["rep"]
    if level == "unit":
        frame["unit"] = rng.integers(0, 3, size=len(frame))
        by = ["rep", "unit"]
    design = SurveyDesign(frame, weights="w", strata="stratum", cluster="psu")
    cells = []
    old = design.mean("satisfied", by=by)
    low, high = logit_interval(old["estimate"], old["se"], old["df"])
    cells.append(np.mean((low <= p) & (p <= high)))
    for method in SURVEY_PROPORTION_METHODS:
        table = design.proportion("satisfied", by=by, method=method)
        cells.append(np.mean((table["ci_low"] <= p) & (p <= table["ci_high"])))
    boundary = np.mean(old["estimate"].isin([0.0, 1.0]))
    n = int(old["n"].median())
    figures = " | ".join(f"{cell:.3f}" for cell in cells)
    return f"| {p} | {level} | {psus}x{per_psu} | {n} | {boundary:.2f} | {figures} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5000)
    reps = parser.parse_args().repetitions
    methods = " | ".join(SURVEY_PROPORTION_METHODS)
    print(f"{reps} repetitions per cell; MC SE of 0.95: {np.sqrt(0.0475 / reps):.4f}")
    print(f"| p | domain | PSUs x rows | median n | at 0/1 | before | {methods} |")
    print("|" + " --- |" * (6 + len(SURVEY_PROPORTION_METHODS)))
    for p in PROPORTIONS:
        for level in ("sample", "unit"):
            for psus, per_psu in SIZES:
                print(coverage_row(p, psus, per_psu, level, reps))


if __name__ == "__main__":
    main()
