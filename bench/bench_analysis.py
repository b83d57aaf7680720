"""Benchmark the analysis package against bare baselines measured in the same run.

1. Per-unit summaries (``analysis.unit_summary``) of 1,000,000 responses x 10
   items x 300 units, against a bare pandas
   ``groupby("unit")[items].agg(["mean", "std", "count"])`` on the same frame.
2. Design-based estimates (``SurveyDesign.mean``/``.proportion``/``.total``)
   by 300 domains on 100,000 rows of a stratified cluster sample; when
   ``samplics`` is importable, the same means with its ``TaylorEstimator``.

Run from the repository root::

    python bench/bench_analysis.py            # full size
    python bench/bench_analysis.py --quick    # a tenth of the rows

``summary_benchmark(responses, items)`` takes any in-memory DataFrame, so the
from-database benchmark can time the same work on frames it loads itself.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import SurveyDesign, unit_summary

ITEMS = [f"q{i:02d}" for i in range(1, 11)]
SCORING = {
    "items": {item: f"d{(i // 4) + 1}" for i, item in enumerate(ITEMS)},
    "reverse": ["q04"],
}


def make_responses(
    rows: int, units: int, rng: np.random.Generator, items: Sequence[str] = ITEMS
) -> pd.DataFrame:
    """Return synthetic wide responses: 1-5 ratings (5% skipped), unit, flags."""
    answers = rng.integers(1, 6, size=(rows, len(items))).astype(np.float64)
    answers[rng.random(answers.shape) < 0.05] = np.nan
    frame = pd.DataFrame(answers, columns=list(items))
    frame["unit"] = rng.integers(0, units, rows)
    frame["verified"] = rng.random(rows) < 0.9
    frame["excluded"] = rng.random(rows) < 0.01
    return frame


def timed(function: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def summary_benchmark(
    responses: pd.DataFrame, items: Sequence[str] = ITEMS, repeat: int = 5
) -> dict[str, float]:
    """Time unit_summary against the bare pandas baseline on ``responses``."""
    items = list(items)

    def baseline() -> object:
        return responses.groupby("unit")[items].agg(["mean", "std", "count"])

    results = {"baseline_s": timed(baseline, repeat)}
    results["items_s"] = timed(lambda: unit_summary(responses, items), repeat)
    scoring = {
        "items": {item: SCORING["items"].get(item, "d1") for item in items},
        "reverse": [i for i in SCORING["reverse"] if i in items],
    }
    results["dimensions_verified_s"] = timed(
        lambda: unit_summary(responses, scoring, verified_only=True), repeat
    )
    results["items_ratio"] = results["items_s"] / results["baseline_s"]
    results["dimensions_ratio"] = (
        results["dimensions_verified_s"] / results["baseline_s"]
    )
    return results


def make_design_sample(
    rows: int, domains: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Return a stratified cluster sample: 20 strata x 50 PSUs, units cut across."""
    strata, psus = 20, 50
    psu = rng.integers(0, strata * psus, rows)
    frame = pd.DataFrame(
        {
            "stratum": psu // psus,
            "psu": psu,
            "fpc": 400,
            "weight": 400 / psus * rng.uniform(20, 60, rows),
            "unit": rng.integers(0, domains, rows),
            "score": rng.normal(3.5, 1.0, rows) + (psu % 7) * 0.05,
        }
    )
    frame["satisfied"] = frame["score"] >= 4
    return frame


def design_benchmark(sample: pd.DataFrame, repeat: int = 3) -> dict[str, float]:
    """Time building the design and the three estimators by ``unit``."""
    options = {"weights": "weight", "strata": "stratum", "cluster": "psu", "fpc": "fpc"}
    design = SurveyDesign(sample, **options)
    return {
        "build_s": timed(lambda: SurveyDesign(sample, **options), repeat),
        "mean_s": timed(lambda: design.mean("score", by="unit"), repeat),
        "proportion_s": timed(
            lambda: design.proportion("satisfied", by="unit"), repeat
        ),
        "total_s": timed(lambda: design.total("score", by="unit"), repeat),
        "compare_to_rest_s": timed(
            lambda: design.compare_to_rest("score", by="unit"), repeat
        ),
    }


def samplics_benchmark(
    sample: pd.DataFrame, repeat: int = 3
) -> dict[str, float] | None:
    """Time samplics' domain means and compare them with ours, if installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
            from samplics import PopParam, TaylorEstimator
    except ImportError:
        return None
    population = 400.0
    sampled = sample.groupby("stratum")["psu"].nunique()
    fpc = {h: 1 - n / population for h, n in sampled.items()}

    def estimate() -> TaylorEstimator:
        estimator = TaylorEstimator(PopParam.mean)
        estimator.estimate(
            y=sample["score"].to_numpy(),
            samp_weight=sample["weight"].to_numpy(),
            stratum=sample["stratum"].to_numpy(),
            psu=sample["psu"].to_numpy(),
            domain=sample["unit"].to_numpy(),
            fpc=fpc,
        )
        return estimator

    seconds = timed(estimate, repeat)
    theirs = estimate()
    ours = SurveyDesign(
        sample, weights="weight", strata="stratum", cluster="psu", fpc="fpc"
    ).mean("score", by="unit")
    their_mean = pd.Series(theirs.point_est).reindex(ours["unit"]).to_numpy()
    their_se = pd.Series(theirs.stderror).reindex(ours["unit"]).to_numpy()
    return {
        "samplics_mean_s": seconds,
        "max_abs_mean_diff": float(np.max(np.abs(their_mean - ours["estimate"]))),
        "max_rel_se_diff": float(np.max(np.abs(their_se / ours["se"] - 1))),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run both benchmarks and print the figures as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--seed", type=int, default=20251125)
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    rng = np.random.default_rng(args.seed)
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, {platform.machine()}"
    )

    responses = make_responses(1_000_000 // scale, 300, rng)
    summary = summary_benchmark(responses)
    print(
        f"\n## unit_summary: {len(responses):,} responses x {len(ITEMS)} items"
        " x 300 units (median of 5)\n"
    )
    print("| what | seconds | ratio to baseline |\n| --- | ---: | ---: |")
    print(
        f"| pandas groupby agg mean/std/count (baseline) | "
        f"{summary['baseline_s']:.3f} | 1.00 |"
    )
    print(
        f"| unit_summary, 10 items | {summary['items_s']:.3f} | "
        f"{summary['items_ratio']:.2f} |"
    )
    print(
        f"| unit_summary, 10 items + 3 dimensions, verified only | "
        f"{summary['dimensions_verified_s']:.3f} | "
        f"{summary['dimensions_ratio']:.2f} |"
    )

    sample = make_design_sample(100_000 // scale, 300, rng)
    design = design_benchmark(sample)
    print(
        f"\n## SurveyDesign: {len(sample):,} rows, 20 strata, 1,000 PSUs,"
        " 300 domains (median of 3)\n"
    )
    print("| what | seconds |\n| --- | ---: |")
    for name, seconds in design.items():
        print(f"| {name[:-2]} | {seconds:.3f} |")
    compared = samplics_benchmark(sample)
    if compared is None:
        print("\nsamplics is not installed here; run under its own venv to compare.")
    else:
        print(
            f"\nsamplics TaylorEstimator('mean') by domain: "
            f"{compared['samplics_mean_s']:.3f} s; largest difference in means "
            f"{compared['max_abs_mean_diff']:.2e}, in SEs (relative) "
            f"{compared['max_rel_se_diff']:.2e}"
        )


if __name__ == "__main__":
    main()
