"""Coverage of 95% intervals for PPS-without-replacement and calibrated designs.

Run by hand (never in CI); under a minute with the default size:

    .venv/bin/python bench/bench_calibration_coverage.py [--repetitions 4000]

PPS: a fixed population of N communes; n are drawn by conditional Poisson
sampling, whose inclusion and joint inclusion probabilities are exact
(tests/analysis/calibration_scenarios.py). Each repetition is one stratum of
one big design, so one call gives every interval. "with replacement (before)"
is what hailong did before analysis.pps: the same weights with the
with-replacement variance. The true variance of the total comes from
enumerating every sample, so the table also gives each variance estimator's
relative bias.

Calibration: 400 clusters of 20 people in three age groups whose mean rating
differs; 20 clusters drawn by SRS without replacement; the mean rating
unadjusted, post-stratified to the age groups' population counts, raked to
age and sex, and post-stratified with JK1 replicate weights.

Two-way table: two variables that depend on the cluster but not on each
other, 20 clusters of 15; the share of tests with p < 0.05.

The figures are in docs/benchmarks.md ("Issue 15 — calibration, replicate
weights, two-way tables and PPS") and docs/methodology.md section 11.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.calibration import post_stratify, rake
from analysis.contingency import rao_scott_test
from analysis.design import SurveyDesign
from analysis.pps import PPSDesign
from analysis.replicates import ReplicateDesign
from tests.analysis.calibration_scenarios import (
    cluster_samples,
    conditional_poisson,
    independent_table,
    pps_samples,
    rating_population,
)


def covers(table: pd.DataFrame, truth: float) -> np.ndarray:
    return ((table["ci_low"] <= truth) & (table["ci_high"] >= truth)).to_numpy()


def pps_designs(frame: pd.DataFrame, joint: np.ndarray, N: int, reps: range):
    """Yield (name, design) for every variance method over the repetitions ``reps``."""
    part = frame[frame["rep"].isin(reps)]
    common = {"probability": "pi", "cluster": "id", "strata": "rep"}
    yield (
        "with replacement (before)",
        SurveyDesign(
            part.assign(w=1 / part["pi"]), weights="w", cluster="id", strata="rep"
        ),
    )
    yield "Brewer", PPSDesign(part, **common)
    yield "Hartley-Rao", PPSDesign(part, **common, method="hartley-rao")
    ids = np.sort(part["id"].unique())
    rep, unit = ids // N, ids % N
    pi = np.diag(joint)
    same = rep[:, None] == rep[None, :]
    matrix = np.where(same, joint[np.ix_(unit, unit)], np.outer(pi[unit], pi[unit]))
    for variance in ("HT", "YG"):
        yield (
            f"joint, {variance}",
            PPSDesign(part, **common, method="joint", joint=matrix, variance=variance),
        )


def true_variance_of_total(frame_seed: int, N: int, n: int) -> float:
    """Return the exact variance of the HT total by enumerating every sample."""
    rng = np.random.default_rng(frame_seed)
    size = rng.gamma(2.0, 400.0, N) + 50
    samples, probability, joint = conditional_poisson(size, n)
    y = 0.8 * size * rng.gamma(4.0, 0.25, N)
    totals = (y / np.diag(joint))[samples].sum(axis=1)
    return float(probability @ (totals - y.sum()) ** 2)


def pps_table(N: int, n: int, repetitions: int, seed: int) -> list[tuple]:
    frame, joint, truth = pps_samples(np.random.default_rng(seed), N, n, repetitions)
    variance = true_variance_of_total(seed, N, n)
    rows: dict[str, dict[str, list]] = {}
    for start in range(0, repetitions, 250):
        reps = range(start, min(start + 250, repetitions))
        for name, design in pps_designs(frame, joint, N, reps):
            total = design.total("y", by="rep")
            row = rows.setdefault(name, {"total": [], "mean": [], "v": []})
            row["total"].append(covers(total, truth["total"]))
            row["mean"].append(covers(design.mean("y", by="rep"), truth["mean"]))
            row["v"].append(total["se"].to_numpy() ** 2)
    return [
        (
            name,
            np.concatenate(row["total"]).mean(),
            np.concatenate(row["mean"]).mean(),
            np.concatenate(row["v"]).mean() / variance - 1,
        )
        for name, row in rows.items()
    ]


def calibration_table(repetitions: int, seed: int) -> dict[str, tuple[float, float]]:
    """Coverage and mean width of the mean rating's interval, per estimator."""
    rng = np.random.default_rng(seed)
    population = rating_population(rng)
    truth = population["rating"].mean()
    ages = population["age"].value_counts().to_dict()
    sexes = population["sex"].value_counts().to_dict()
    hits: dict[str, list] = {}
    widths: dict[str, list] = {}

    def record(name: str, table: pd.DataFrame) -> None:
        hits.setdefault(name, []).append(covers(table, truth))
        widths.setdefault(name, []).append(table["ci_high"] - table["ci_low"])

    for start in range(0, repetitions, 100):
        block = min(100, repetitions - start)
        sample = cluster_samples(rng, population, 20, block)
        design = SurveyDesign(sample, strata="rep", cluster="psu", fpc="fpc")
        reps = range(block)
        age_cells = {(r, a): c for r in reps for a, c in ages.items()}
        sex_cells = {(r, s): c for r in reps for s, c in sexes.items()}
        record("unadjusted (before)", design.mean("rating", by="rep"))
        record(
            "post-stratified",
            post_stratify(design, ["rep", "age"], age_cells).mean("rating", by="rep"),
        )
        raked = rake(design, [(["rep", "age"], age_cells), (["rep", "sex"], sex_cells)])
        record("raked (age, sex)", raked.mean("rating", by="rep"))
        for rep in reps:
            one = SurveyDesign(sample[sample["rep"] == rep], cluster="psu", fpc="fpc")
            replicates = ReplicateDesign.jackknife(one)
            record(
                "post-stratified, JK1",
                post_stratify(replicates, "age", ages).mean("rating"),
            )
    return {
        name: (np.concatenate(values).mean(), np.concatenate(widths[name]).mean())
        for name, values in hits.items()
    }


def chisq_table(repetitions: int, seed: int) -> dict[str, float]:
    """Share of p < 0.05 for independent variables in a clustered sample."""
    rng = np.random.default_rng(seed)
    rejections: dict[str, list] = {}
    for _ in range(repetitions):
        design = SurveyDesign(independent_table(rng), cluster="cluster")
        f_test = rao_scott_test(design, "a", "b")
        chisq = rao_scott_test(design, "a", "b", statistic="Chisq")
        naive = stats.chi2.sf(f_test.pearson, 2)
        for name, p in (
            ("Pearson X² ignoring the design (before)", naive),
            ("Rao-Scott F", f_test.p_value),
            ("Rao-Scott Chisq", chisq.p_value),
        ):
            rejections.setdefault(name, []).append(p < 0.05)
    return {name: float(np.mean(values)) for name, values in rejections.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=4000)
    reps = parser.parse_args().repetitions
    print(f"PPS without replacement, {reps} samples per row")
    print(
        "| N | n | variance | coverage, total | coverage, mean | bias of Var(total) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for N, n, seed in ((20, 4, 1520), (24, 6, 1521)):
        for name, total, mean, bias in pps_table(N, n, reps, seed):
            print(f"| {N} | {n} | {name} | {total:.3f} | {mean:.3f} | {bias:+.1%} |")
    print(f"\nCalibration, {reps} samples of 20 clusters")
    print("| estimator | coverage | mean width |")
    print("| --- | --- | --- |")
    for name, (cover, width) in calibration_table(reps, 1530).items():
        print(f"| {name} | {cover:.3f} | {width:.3f} |")
    print(f"\nTwo-way table, independent variables, {reps} clustered samples")
    print("| test | share of p < 0.05 |")
    print("| --- | --- |")
    for name, share in chisq_table(reps, 1540).items():
        print(f"| {name} | {share:.3f} |")


if __name__ == "__main__":
    main()
