"""svychisq (Rao-Scott) and PPS-without-replacement designs pinned to R's survey.

Reference numbers: tests/analysis/data/r_reference_calibration.json, written
by bench/r_reference_calibration.R (R 4.2.2, survey 4.1-1). The PPS samples
were generated there: pps_single.csv (6 of 20 communes by conditional Poisson
sampling, exact joint probabilities in pps_single_joint.csv) and
pps_clustered.csv (two strata of communes drawn by PPS, four respondents
each).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import post_stratify
from analysis.contingency import rao_scott_test
from analysis.design import SurveyDesign
from analysis.pps import PPSDesign

DATA = Path(__file__).parent / "data"
R = json.loads((DATA / "r_reference_calibration.json").read_text())
RELATIVE = 1e-8


def _check(result: pd.DataFrame, reference: dict) -> None:
    row = result.iloc[0]
    assert row["estimate"] == pytest.approx(reference["estimate"], rel=RELATIVE)
    assert row["se"] == pytest.approx(float(np.ravel(reference["se"])[0]), rel=RELATIVE)


def _check_test(design, row, column, reference: dict) -> None:
    f_test = rao_scott_test(design, row, column)
    expected = reference["F"]
    assert f_test.method == "rao-scott-F"
    assert f_test.statistic == pytest.approx(expected["statistic"], rel=RELATIVE)
    assert f_test.ndf == pytest.approx(expected["ndf"], rel=RELATIVE)
    assert f_test.ddf == pytest.approx(expected["ddf"], rel=RELATIVE)
    assert f_test.p_value == pytest.approx(expected["p_value"], rel=1e-6)
    chisq = rao_scott_test(design, row, column, statistic="Chisq")
    expected = reference["Chisq"]
    assert chisq.statistic == pytest.approx(expected["statistic"], rel=RELATIVE)
    assert chisq.ndf == expected["df"]
    assert chisq.p_value == pytest.approx(expected["p_value"], rel=1e-6)


@pytest.fixture(scope="module")
def dclus1(apiclus1):
    return SurveyDesign(apiclus1, weights="pw", cluster="dnum", fpc="fpc")


def test_svychisq_one_stage_cluster_matches_r(dclus1):
    # ?svychisq: svychisq(~sch.wide + stype, dclus1) -> F = 5.1934,
    # ndf = 1.4946, ddf = 20.925, p-value = 0.02175
    _check_test(dclus1, "sch.wide", "stype", R["chisq"]["dclus1_schwide_stype"])


def test_svychisq_stratified_matches_r(apistrat):
    design = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    _check_test(design, "sch.wide", "stype", R["chisq"]["dstrat_schwide_stype"])


def test_svychisq_two_stage_with_missing_values_matches_r(apiclus2):
    # Six schools have no enroll, so no size class: a domain, not a cut.
    size = pd.cut(
        apiclus2["enroll"], [0, 300, 600, np.inf], labels=["small", "medium", "large"]
    )
    data = apiclus2.assign(size=size.astype(object))
    design = SurveyDesign(data, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    _check_test(design, "size", "stype", R["chisq"]["dclus2_size_stype"])


def test_svychisq_post_stratified_matches_r(dclus1):
    design = post_stratify(dclus1, "stype", {"E": 4421, "H": 755, "M": 1018})
    _check_test(design, "sch.wide", "stype", R["chisq"]["dclus1p_schwide_stype"])


def test_svychisq_table_holds_the_cell_proportions(dclus1):
    table = rao_scott_test(dclus1, "sch.wide", "stype").table
    assert list(table.index) == ["No", "Yes"]
    assert list(table.columns) == ["E", "H", "M"]
    assert table.to_numpy().sum() == pytest.approx(1.0)


def test_svychisq_needs_two_levels(dclus1, apiclus1):
    design = SurveyDesign(
        apiclus1.assign(one="x"), weights="pw", cluster="dnum", fpc="fpc"
    )
    with pytest.raises(ValueError, match="need two levels each"):
        rao_scott_test(design, "stype", "one")
    with pytest.raises(ValueError, match="statistic must be one of"):
        rao_scott_test(dclus1, "sch.wide", "stype", statistic="Wald")


# -- PPS without replacement -------------------------------------------------


@pytest.fixture(scope="module")
def single() -> pd.DataFrame:
    return pd.read_csv(DATA / "pps_single.csv")


@pytest.fixture(scope="module")
def joint() -> np.ndarray:
    return pd.read_csv(DATA / "pps_single_joint.csv").to_numpy()


@pytest.fixture(scope="module")
def clustered() -> pd.DataFrame:
    return pd.read_csv(DATA / "pps_clustered.csv")


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("brewer", {}),
        ("ht", {"method": "joint"}),
        ("yg", {"method": "joint", "variance": "YG"}),
        ("hartley_rao", {"method": "hartley-rao"}),
        (
            "hartley_rao_psum",
            {"method": "hartley-rao", "p2bar": R["pps_single"]["p2bar"]},
        ),
    ],
)
def test_pps_single_stage_matches_r(single, joint, name, options):
    if options.get("method") == "joint":
        options = {**options, "joint": joint}
    design = PPSDesign(single, probability="pi", **options)
    reference = R["pps_single"][name]
    _check(design.mean("y"), reference["mean_y"])
    _check(design.total("y"), reference["total_y"])
    _check(design.mean("z"), reference["mean_z"])


def test_pps_joint_matrix_may_be_labelled_by_psu(single, joint):
    labelled = pd.DataFrame(joint, index=single["commune"], columns=single["commune"])
    shuffled = labelled.iloc[::-1, ::-1]
    design = PPSDesign(
        single, probability="pi", cluster="commune", method="joint", joint=shuffled
    )
    _check(design.total("y"), R["pps_single"]["ht"]["total_y"])


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("brewer", {}),
        ("hartley_rao", {"method": "hartley-rao"}),
        ("hartley_rao_psum", {"method": "hartley-rao", "p2bar": "from data"}),
    ],
)
def test_pps_stratified_clusters_match_r(clustered, name, options):
    if options.get("p2bar") == "from data":
        options = {"method": "hartley-rao", "p2bar": _p2bar(clustered)}
    design = PPSDesign(
        clustered, probability="pi", cluster="commune", strata="stratum", **options
    )
    reference = R["pps_clustered"][name]
    _check(design.mean("rating"), reference["mean_rating"])
    _check(design.total("satisfied"), reference["total_satisfied"])
    assert design.mean("rating")["df"].iloc[0] == reference["degf"]


def _p2bar(clustered: pd.DataFrame) -> dict:
    return clustered.groupby("stratum")["p2sum"].first().to_dict()


def test_pps_brewer_does_not_depend_on_row_order(clustered):
    # survey 4.1-1's R code pairs each PSU's fpc in order of appearance with
    # PSU totals in sorted order; on the rows in drawn order it gives
    # R["pps_clustered"]["brewer_drawn_order_mean_rating"]. Here the order of
    # the rows does not matter.
    shuffled = clustered.sample(frac=1, random_state=np.random.default_rng(15))
    design = PPSDesign(shuffled, probability="pi", cluster="commune", strata="stratum")
    _check(design.mean("rating"), R["pps_clustered"]["brewer"]["mean_rating"])


def test_pps_brewer_is_below_with_replacement_for_large_probabilities(single):
    brewer = PPSDesign(single, probability="pi").total("y")["se"].iloc[0]
    with_replacement = SurveyDesign(single.assign(w=1 / single["pi"]), weights="w")
    assert brewer < with_replacement.total("y")["se"].iloc[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "brewer", "variance": "YG"}, "only the HT form"),
        ({"method": "joint"}, "needed exactly when method='joint'"),
        ({"method": "pps"}, "method must be one of"),
    ],
)
def test_pps_options_are_checked(single, options, message):
    with pytest.raises(ValueError, match=message):
        PPSDesign(single, probability="pi", **options)


def test_pps_probability_is_checked(single, clustered):
    with pytest.raises(ValueError, match=r"must lie in \(0, 1\]"):
        PPSDesign(single.assign(pi=single["pi"] * 3), probability="pi")
    varying = clustered.assign(pi=clustered["pi"] + np.arange(len(clustered)) * 1e-3)
    with pytest.raises(ValueError, match="varies within a PSU"):
        PPSDesign(varying, probability="pi", cluster="commune", strata="stratum")


def test_pps_takes_overall_weights_for_subsampled_psus(clustered):
    # Four respondents drawn from communes of 40: weight = 10 / pi.
    data = clustered.assign(w=10 / clustered["pi"])
    plain = PPSDesign(clustered, probability="pi", cluster="commune", strata="stratum")
    weighted = PPSDesign(
        data, probability="pi", weights="w", cluster="commune", strata="stratum"
    )
    assert weighted.mean("rating").iloc[0]["estimate"] == pytest.approx(
        plain.mean("rating").iloc[0]["estimate"]
    )
    assert weighted.total("satisfied").iloc[0]["se"] == pytest.approx(
        10 * plain.total("satisfied").iloc[0]["se"]
    )


@pytest.fixture(scope="module")
def lonely_pps(clustered) -> pd.DataFrame:
    """pps_clustered.csv with stratum 1 cut to one commune (R's lonely_pps)."""
    keep = (clustered["stratum"] == 2) | (
        clustered["commune"] == R["pps_lonely"]["commune"]
    )
    return clustered[keep].reset_index(drop=True)


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
def test_pps_brewer_lonely_psu_rules_match_r(lonely_pps, rule):
    # Before the fix Brewer's n/(n - 1) with n = 1 gave SE NaN and warnings
    # for every rule; R: remove/certainty 0.06846, adjust 0.07360, average
    # 0.09681. R keeps every row of a PPS domain (zero weight), so "average"
    # counts the lonely stratum in every domain (stratum 2's SE 0.1051).
    design = PPSDesign(
        lonely_pps,
        probability="pi",
        cluster="commune",
        strata="stratum",
        lonely_psu=rule,
    )
    reference = R["pps_lonely"][rule]
    _check(design.mean("rating"), reference["mean_rating"])
    table = design.mean("rating", by="stratum")
    expected = reference["mean_rating_by_stratum"]
    assert table["stratum"].astype(str).tolist() == expected["level"]
    assert table["estimate"].to_numpy() == pytest.approx(expected["estimate"])
    assert table["se"].to_numpy() == pytest.approx(expected["se"], rel=RELATIVE)


def test_pps_brewer_lonely_psu_fails_by_default_naming_the_stratum(lonely_pps):
    assert "Stratum (1) has only one PSU" in R["pps_lonely"]["fail"]["error"]
    design = PPSDesign(
        lonely_pps, probability="pi", cluster="commune", strata="stratum"
    )
    with pytest.raises(ValueError, match=r"stratum 1 \(stage 1\) has only one"):
        design.mean("rating")
    with pytest.raises(ValueError, match="lonely_psu must be one of"):
        PPSDesign(lonely_pps, probability="pi", cluster="commune", lonely_psu="drop")


def test_pps_hartley_rao_needs_no_lonely_rule(lonely_pps):
    # R applies survey.lonely.psu to Brewer's designs only; HR() gives the
    # same SE under every rule (a lonely PSU adds (1 - pi) x^2).
    design = PPSDesign(
        lonely_pps,
        probability="pi",
        cluster="commune",
        strata="stratum",
        method="hartley-rao",
    )
    assert np.isfinite(design.mean("rating")["se"].iloc[0])


@pytest.fixture(scope="module")
def brewer_groups(clustered) -> PPSDesign:
    group = np.where(
        (clustered["rating"] % 2 == 0) | (clustered["commune"] % 3 == 0), "a", "b"
    )
    return PPSDesign(
        clustered.assign(grp=group),
        probability="pi",
        cluster="commune",
        strata="stratum",
    )


def test_pps_domains_and_proportions_match_r(brewer_groups):
    reference = R["pps_domains"]
    table = brewer_groups.mean("rating", by="grp")
    expected = reference["mean_rating_by_grp"]
    assert table["grp"].tolist() == expected["level"]
    assert table["estimate"].to_numpy() == pytest.approx(expected["estimate"])
    assert table["se"].to_numpy() == pytest.approx(expected["se"], rel=RELATIVE)
    overall = brewer_groups.proportion("satisfied", method="beta").iloc[0]
    in_a = brewer_groups.proportion("satisfied", by="grp").iloc[0]
    for row, name in ((overall, "satisfied_beta"), (in_a, "satisfied_grp_a_logit")):
        assert row["estimate"] == pytest.approx(reference[name]["estimate"])
        assert row["se"] == pytest.approx(reference[name]["se"], rel=RELATIVE)
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(
            reference[name]["ci"], rel=1e-7
        )
        assert row["df"] == reference[name]["degf"]
