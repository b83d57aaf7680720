"""Calibration and replicate weights pinned to R's survey package.

Reference numbers: tests/analysis/data/r_reference_calibration.json, written
by bench/r_reference_calibration.R (R 4.2.2, survey 4.1-1 as recorded in the
file) from R's api data and the population margins printed in R's help pages
(?postStratify, ?rake, ?calibrate). The bootstrap replicate factors R drew are
in apiclus1_bootstrap.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import calibrate, post_stratify, rake
from analysis.design import SurveyDesign
from analysis.indices import ddci_index
from analysis.replicates import ReplicateDesign

DATA = Path(__file__).parent / "data"
R = json.loads((DATA / "r_reference_calibration.json").read_text())
RELATIVE = 1e-8

POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
POP_TOTALS = {"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018, "api99": 3914069}
MARGINS = [("stype", POP_TYPES), ("sch.wide", POP_SCHWIDE)]


def _scalar(value):
    return float(np.ravel(value)[0])


def _check(result: pd.DataFrame, reference: dict) -> None:
    assert result["estimate"].to_numpy() == pytest.approx(
        np.ravel(reference["estimate"]), rel=RELATIVE
    )
    assert result["se"].to_numpy() == pytest.approx(
        np.ravel(reference["se"]), rel=RELATIVE
    )


def _check_design(design, reference: dict, by: str) -> None:
    _check(design.mean("api00"), reference["mean_api00"])
    _check(design.total("enroll"), reference["total_enroll"])
    by_result = design.mean("api00", by=by)
    assert (
        list(by_result[by])
        == reference[f"mean_api00_by_{by.replace('.', '')}"]["level"]
    )
    _check(by_result, reference[f"mean_api00_by_{by.replace('.', '')}"])


def _auxiliary(data: pd.DataFrame) -> pd.DataFrame:
    """R's model matrix for ~stype + api99."""
    dummies = pd.get_dummies(data["stype"], dtype=float).add_prefix("stype")
    return pd.DataFrame(
        {
            "(Intercept)": 1.0,
            "stypeH": dummies["stypeH"],
            "stypeM": dummies["stypeM"],
            "api99": data["api99"].astype(float),
        }
    )


@pytest.fixture(scope="module")
def dclus1(apiclus1):
    return SurveyDesign(apiclus1, weights="pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def rclus1(dclus1):
    return ReplicateDesign.jackknife(dclus1)


def test_reference_was_made_by_survey_4_1():
    assert R["survey_version"] == "4.1.1"


def test_post_stratify_matches_r(dclus1):
    # ?postStratify: svymean(~api00, dclus1p) -> 642.31, SE 23.921
    design = post_stratify(dclus1, "stype", POP_TYPES)
    _check_design(design, R["post_stratify"], "sch.wide")
    assert design.weights.sum() == pytest.approx(R["post_stratify"]["weight_sum"])
    weighted = pd.Series(design.weights).groupby(dclus1.data["stype"]).sum()
    assert weighted.to_dict() == pytest.approx(POP_TYPES)


def test_post_stratified_proportion_matches_r(apiclus1):
    data = apiclus1.assign(yes=apiclus1["sch.wide"].eq("Yes"))
    design = post_stratify(
        SurveyDesign(data, weights="pw", cluster="dnum", fpc="fpc"), "stype", POP_TYPES
    )
    row = design.proportion("yes").iloc[0]
    reference = R["post_stratify_proportion"]
    assert row["estimate"] == pytest.approx(reference["estimate"][1], rel=RELATIVE)
    assert row["se"] == pytest.approx(reference["se"][1], rel=RELATIVE)


def test_post_stratified_proportion_interval_matches_r_svyciprop(apiclus1):
    data = apiclus1.assign(yes=apiclus1["sch.wide"].eq("Yes"))
    design = post_stratify(
        SurveyDesign(data, weights="pw", cluster="dnum", fpc="fpc"), "stype", POP_TYPES
    )
    reference = R["post_stratify_ciprop"]
    for method in ("logit", "beta"):
        row = design.proportion("yes", method=method).iloc[0]
        _check_interval(row, reference[method])
    high_schools = design.proportion("yes", by="stype").set_index("stype").loc["H"]
    _check_interval(high_schools, reference["H_logit"])


def _check_interval(row: pd.Series, reference: dict, rel: float = RELATIVE) -> None:
    """Compare estimate, SE and svyciprop limits (logit: to R's glm fit, 1e-7)."""
    assert row["estimate"] == pytest.approx(reference["estimate"], rel=rel)
    assert row["se"] == pytest.approx(reference["se"], rel=rel)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(reference["ci"], rel=1e-7)


@pytest.mark.parametrize(
    ("population", "message"),
    [
        (pd.DataFrame({"stype": ["E", "H"], "Freq": [4421, 755]}), "post-strata"),
        (pd.DataFrame({"stype": ["E", "H", "M"], "N": [1, 2, 3]}), "Freq"),
        (pd.DataFrame({"stype": ["E", "E", "M"], "Freq": [1, 2, 3]}), "repeats"),
    ],
)
def test_post_stratify_checks_an_r_style_population_frame(dclus1, population, message):
    with pytest.raises(ValueError, match=message):
        post_stratify(dclus1, "stype", population)


def test_post_stratify_takes_r_s_population_data_frame(dclus1):
    frame = pd.DataFrame({"stype": list(POP_TYPES), "Freq": list(POP_TYPES.values())})
    _check_design(post_stratify(dclus1, "stype", frame), R["post_stratify"], "sch.wide")


def test_calibrate_rejects_collinear_columns_and_missing_totals(dclus1, apiclus1):
    dummies = pd.get_dummies(apiclus1["stype"], dtype=float)
    with pytest.raises(ValueError, match="linearly dependent"):
        calibrate(dclus1, dummies.assign(one=1.0), {**POP_TYPES, "one": 6194})
    with pytest.raises(ValueError, match="finite"):
        calibrate(dclus1, dummies, {**POP_TYPES, "M": np.nan})


@pytest.mark.parametrize("epsilon", ["a", -1, 0, None])
def test_rake_checks_epsilon(dclus1, epsilon):
    with pytest.raises(ValueError, match="epsilon"):
        rake(dclus1, MARGINS, epsilon=epsilon)


def test_rake_matches_r(dclus1):
    design = rake(dclus1, MARGINS)
    _check_design(design, R["rake"], "sch.wide")
    weighted = pd.Series(design.weights).groupby(dclus1.data["sch.wide"]).sum()
    # R stops once no cell moves by 1 or more, so margins hold to within 1.
    assert weighted.to_dict() == pytest.approx(POP_SCHWIDE, abs=1)


def test_calibrate_matches_r(dclus1):
    design = calibrate(dclus1, _auxiliary(dclus1.data), POP_TOTALS)
    _check_design(design, R["calibrate"], "sch.wide")
    totals = _auxiliary(dclus1.data).mul(design.weights, axis=0).sum()
    assert totals.to_dict() == pytest.approx(POP_TOTALS, rel=1e-12)


def test_calibrating_a_post_stratified_design_keeps_both_adjustments(dclus1):
    design = post_stratify(dclus1, "stype", POP_TYPES)
    auxiliary = _auxiliary(dclus1.data)[["(Intercept)", "api99"]]
    design = calibrate(design, auxiliary, {"(Intercept)": 6194, "api99": 3914069})
    _check_design(design, R["post_stratify_then_calibrate"], "sch.wide")


def test_post_stratified_two_stage_design_matches_r(apiclus2):
    design = SurveyDesign(apiclus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    result = post_stratify(design, "stype", POP_TYPES).mean("api00")
    _check(result, R["post_stratify_dclus2"]["mean_api00"])


def test_calibration_leaves_the_design_and_data_alone(dclus1, apiclus1):
    before = dclus1.mean("api00")
    copy = apiclus1.copy()
    post_stratify(dclus1, "stype", POP_TYPES)
    pd.testing.assert_frame_equal(dclus1.mean("api00"), before)
    pd.testing.assert_frame_equal(apiclus1, copy)


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ({"E": 4421, "H": 755}, "in the sample but not in population"),
        ({**POP_TYPES, "X": 10}, "partial=True"),
        ({"E": 4421, "H": 755, "M": 0}, "must be positive"),
    ],
)
def test_post_stratify_rejects_bad_populations(dclus1, population, message):
    with pytest.raises(ValueError, match=message):
        post_stratify(dclus1, "stype", population)


def test_post_stratify_partial_ignores_unsampled_strata(dclus1):
    design = post_stratify(dclus1, "stype", {**POP_TYPES, "X": 10}, partial=True)
    _check(design.mean("api00"), R["post_stratify"]["mean_api00"])


def test_calibrate_rejects_mismatched_totals(dclus1):
    with pytest.raises(ValueError, match="exactly the auxiliary columns"):
        calibrate(dclus1, _auxiliary(dclus1.data), {"api99": 3914069})


def test_rake_warns_when_it_does_not_converge(dclus1):
    with pytest.warns(RuntimeWarning, match="did not converge after 1"):
        rake(dclus1, MARGINS, max_iterations=1, epsilon=1e-12)


# -- replicate weights ----------------------------------------------------


def _check_replicates(design: ReplicateDesign, reference: dict) -> None:
    _check_design(design, reference, "stype")
    assert design.degrees_of_freedom == reference["degf"]


def test_jk1_matches_r(rclus1):
    # api.Rout.save: svymean(~api00, rclus1) -> 644.17, SE 26.329
    _check_replicates(rclus1, R["jk1"])
    assert rclus1.kind == "JK1"
    assert rclus1.n_replicates == 15
    result = rclus1.mean("api00").iloc[0]
    assert result["df"] == 14
    assert result["method"] == "replicate-JK1"


def test_jk1_mse_matches_r(dclus1):
    _check_replicates(ReplicateDesign.jackknife(dclus1, mse=True), R["jk1_mse"])


def test_jkn_matches_r(apistrat):
    design = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    replicates = ReplicateDesign.jackknife(design)
    assert replicates.kind == "JKn"
    _check_replicates(replicates, R["jkn"])


def test_calibrated_replicates_match_r(rclus1, dclus1):
    # api.Rout.save: postStratify(rclus1, ...) -> 642.31, SE 26.935
    _check_replicates(post_stratify(rclus1, "stype", POP_TYPES), R["jk1_post_stratify"])
    _check_replicates(rake(rclus1, MARGINS), R["jk1_rake"])
    calibrated = calibrate(rclus1, _auxiliary(dclus1.data), POP_TOTALS)
    _check_replicates(calibrated, R["jk1_calibrate"])


@pytest.mark.parametrize("mse", [False, True])
def test_bootstrap_from_given_weights_matches_r(apiclus1, mse):
    factors = pd.read_csv(DATA / "apiclus1_bootstrap.csv").to_numpy()
    design = ReplicateDesign(
        apiclus1,
        weights="pw",
        replicate_weights=factors,
        kind="bootstrap",
        combined=False,
        mse=mse,
    )
    _check_replicates(design, R["bootstrap_mse" if mse else "bootstrap"])


@pytest.fixture(scope="module")
def rclus1_sw(apiclus1):
    frame = apiclus1.assign(sw=apiclus1["sch.wide"].eq("Yes").astype(float))
    design = SurveyDesign(frame, weights="pw", cluster="dnum", fpc="fpc")
    return ReplicateDesign.jackknife(design)


@pytest.mark.parametrize("method", ["logit", "beta", "mean", "asin"])
def test_replicate_proportion_interval_matches_r_svyciprop(rclus1_sw, method):
    reference = R["replicate_proportion"]["overall"][method]
    row = rclus1_sw.proportion("sw", method=method).iloc[0]
    _check_interval(row, reference)
    assert row["df"] == reference["degf"] == 14


@pytest.mark.parametrize("method", ["logit", "xlogit", "beta"])
def test_replicate_domains_take_their_own_degrees_of_freedom(rclus1_sw, method):
    # R: svyciprop(~sw, subset(rclus1, stype == s)) with degf(subset) = the
    # rank of the domain's replicate weights - 1: E 14, H 7, M 11 (was 14).
    table = rclus1_sw.proportion("sw", by="stype", method=method).set_index("stype")
    for stype, row in table.iterrows():
        reference = R["replicate_proportion"]["by_stype"][stype][method]
        _check_interval(row, reference)
        assert row["df"] == reference["degf"]
    means = rclus1_sw.mean("api00", by="stype").set_index("stype")["df"]
    assert means.to_dict() == {"E": 14, "H": 7, "M": 11}


def test_replicate_proportion_at_one_gets_the_boundary_interval(rclus1_sw, dclus1):
    # R gives NaN (beta) or [1, 1] (mean) at p = 1; hailong gives the same
    # Korn-Graubard boundary interval as SurveyDesign.proportion.
    every = rclus1_sw.data.assign(all1=1.0)
    replicates = ReplicateDesign(
        every,
        weights="pw",
        replicate_weights=rclus1_sw.replicate_weights,
        kind="JK1",
    )
    design = SurveyDesign(every, weights="pw", cluster="dnum", fpc="fpc")
    for method in ("logit", "beta"):
        row = replicates.proportion("all1", method=method).iloc[0]
        expected = design.proportion("all1", method=method).iloc[0]
        assert row["method"] == "beta-boundary"
        assert row["ci_high"] == 1.0
        assert row["ci_low"] == pytest.approx(expected["ci_low"], rel=1e-12)
        assert 0.97 < row["ci_low"] < 0.98


def test_replicate_options_are_checked(rclus1_sw):
    with pytest.raises(ValueError, match="method"):
        rclus1_sw.proportion("sw", method="likelihood")
    with pytest.raises(ValueError, match="deff"):
        rclus1_sw.mean("api00", deff="replace")


def test_replicate_deff_matches_r(rclus1_sw):
    reference = R["replicate_deff"]
    overall = rclus1_sw.mean("api00", deff=True)["deff"].iloc[0]
    assert overall == pytest.approx(reference["mean_api00"], rel=RELATIVE)
    total = rclus1_sw.total("enroll", deff=True)["deff"].iloc[0]
    assert total == pytest.approx(reference["total_enroll"], rel=RELATIVE)
    by_type = rclus1_sw.mean("api00", by="stype", deff=True)["deff"].to_numpy()
    assert by_type == pytest.approx(reference["mean_api00_by_stype"], rel=RELATIVE)


def test_jackknife_refuses_a_calibrated_or_stratified_jk1(dclus1, apistrat):
    with pytest.raises(ValueError, match="calibrate the replicate design"):
        ReplicateDesign.jackknife(post_stratify(dclus1, "stype", POP_TYPES))
    stratified = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(ValueError, match="JK1 needs an unstratified design"):
        ReplicateDesign.jackknife(stratified, "JK1")
    census = SurveyDesign(apistrat.assign(all=200), weights="pw", fpc="all")
    with pytest.raises(ValueError, match="no sampling variance"):
        ReplicateDesign.jackknife(census)


def test_replicate_weights_are_checked(apiclus1):
    with pytest.raises(ValueError, match="rows by at least 2 replicates"):
        ReplicateDesign(apiclus1, weights="pw", replicate_weights=np.ones((3, 4)))
    with pytest.raises(ValueError, match="need rscales"):
        ReplicateDesign(
            apiclus1, weights="pw", replicate_weights=np.ones((183, 4)), kind="JKn"
        )


# -- composite indices with replicate weights -------------------------------

ITEMS = ["sch.wide", "comp.imp", "both", "awards"]
SCORING = {
    "items": {
        "sch.wide": "targets",
        "comp.imp": "targets",
        "both": "awards",
        "awards": "awards",
    },
    "scale": [1, 2],
    "weights": {"targets": 60, "awards": 40},
}


def _responses(data: pd.DataFrame) -> pd.DataFrame:
    """The api Yes/No columns as answers 2/1 on a two-point scale."""
    answers = {item: np.where(data[item] == "Yes", 2.0, 1.0) for item in ITEMS}
    return data.assign(**answers)


def _composite(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["tier"] == "composite"]


def test_composite_index_se_comes_from_jk1_replicates(apiclus1):
    # R: withReplicates(rclus1, 100 * (0.6 * mean of the two target items +
    # 0.4 * mean of the two award items)), overall and within each stype.
    responses = _responses(apiclus1)
    design = SurveyDesign(responses, weights="pw", cluster="dnum", fpc="fpc")
    replicates = ReplicateDesign.jackknife(design)
    overall = _composite(ddci_index(responses, SCORING, by=None, replicates=replicates))
    _check(overall, R["composite_jk1"]["overall"])
    assert overall["df"].iloc[0] == R["composite_jk1"]["degf"]
    assert overall["method"].iloc[0] == "replicate-JK1"
    by_type = _composite(
        ddci_index(responses, SCORING, by="stype", replicates=replicates)
    )
    for _, row in by_type.iterrows():
        reference = R["composite_jk1"]["by_stype"][row["stype"]]
        assert row["estimate"] == pytest.approx(reference["estimate"], rel=RELATIVE)
        assert row["se"] == pytest.approx(reference["se"], rel=RELATIVE)


def test_composite_index_se_comes_from_jkn_replicates(apistrat):
    responses = _responses(apistrat)
    design = SurveyDesign(responses, weights="pw", strata="stype", fpc="fpc")
    replicates = ReplicateDesign.jackknife(design)
    overall = _composite(ddci_index(responses, SCORING, by=None, replicates=replicates))
    _check(overall, R["composite_jkn"]["overall"])


def test_composite_index_replicates_must_share_the_rows(apiclus1):
    responses = _responses(apiclus1)
    design = SurveyDesign(responses, weights="pw", cluster="dnum", fpc="fpc")
    replicates = ReplicateDesign.jackknife(design)
    with pytest.raises(ValueError, match="built on the responses frame"):
        ddci_index(responses.iloc[:100], SCORING, by=None, replicates=replicates)


def test_composite_index_in_a_one_psu_group_has_no_interval(apiclus1):
    # Each district (dnum) of apiclus1 is one PSU: the replicate dropping it
    # has no answers there. R's svrVar discards it: SE 0 with degf 0. Before
    # the fix the replicate's index was taken as 0: SE 73.2, interval [0, 100].
    responses = _responses(apiclus1)
    design = SurveyDesign(responses, weights="pw", cluster="dnum", fpc="fpc")
    replicates = ReplicateDesign.jackknife(design)
    table = _composite(ddci_index(responses, SCORING, by="dnum", replicates=replicates))
    table = table.set_index("dnum")
    for name, reference in R["composite_jk1_dnum"].items():
        row = table.loc[int(name[1:])]
        assert row["estimate"] == pytest.approx(reference["estimate"], rel=RELATIVE)
        assert row["se"] == pytest.approx(reference["se"], abs=1e-9)
        assert row["df"] == reference["degf"] == 0
        assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
        assert not row["reliable"]
    # District 135 has 34 schools, enough rows, but no degrees of freedom.
    assert table.loc[135, "n"] >= 30 and not table.loc[135, "reliable"]
    means = replicates.mean("api00", by="dnum").set_index("dnum")
    assert means.loc[135, "df"] == 0 and not means.loc[135, "reliable"]
