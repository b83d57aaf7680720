"""SurveyDesign pinned to the R survey package's published output.

Sources (all R survey package, api data):
- "api.Rout.save": cran/survey tests/api.Rout.save, the output of example(api).
- "example-domain": r-survey.r-forge.r-project.org/survey/example-domain.html.
- "example-summary": r-survey.r-forge.r-project.org/survey/example-summary.html.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis import SurveyDesign


def _row(result: pd.DataFrame, **keys: object) -> pd.Series:
    mask = np.ones(len(result), dtype=bool)
    for column, value in keys.items():
        mask &= result[column].to_numpy() == value
    assert mask.sum() == 1
    return result[mask].iloc[0]


@pytest.fixture(scope="module")
def dstrat(apistrat):
    return SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(apiclus1):
    return SurveyDesign(apiclus1, weights="pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dclus2(apiclus2):
    return SurveyDesign(apiclus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_stratified_mean_matches_r(dstrat):
    # api.Rout.save: svymean(~api00, dstrat) -> 662.29, SE 9.4089
    row = dstrat.mean("api00").iloc[0]
    assert row["estimate"] == pytest.approx(662.29, abs=0.005)
    assert row["se"] == pytest.approx(9.4089, abs=0.00005)
    assert row["n"] == 200
    assert row["df"] == 197  # 200 PSUs - 3 strata


def test_stratified_total_matches_r(dstrat):
    # api.Rout.save: svytotal(~enroll, dstrat, na.rm=TRUE) -> 3687178, SE 114642
    row = dstrat.total("enroll").iloc[0]
    assert row["estimate"] == pytest.approx(3687178, abs=0.5)
    assert row["se"] == pytest.approx(114642, abs=0.5)


def test_one_stage_cluster_mean_and_total_match_r(dclus1):
    # api.Rout.save: svymean(~api00, dclus1) -> 644.17, SE 23.542;
    # svytotal(~enroll, dclus1) -> 3404940, SE 932235
    mean = dclus1.mean("api00").iloc[0]
    assert mean["estimate"] == pytest.approx(644.17, abs=0.005)
    assert mean["se"] == pytest.approx(23.542, abs=0.0005)
    assert mean["df"] == 14
    total = dclus1.total("enroll").iloc[0]
    assert total["estimate"] == pytest.approx(3404940.13, abs=0.005)
    assert total["se"] == pytest.approx(932235.03, abs=0.005)


def test_two_stage_cluster_matches_r_full_multistage(dclus2, apiclus2):
    # api.Rout.save: dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2):
    # svymean(~api00) -> 670.81, SE 30.099; svytotal(~enroll, na.rm=TRUE)
    # -> 2639273, SE 799638 (six schools have no enroll: a domain, not a cut).
    mean = dclus2.mean("api00").iloc[0]
    assert mean["estimate"] == pytest.approx(670.81, abs=0.005)
    assert mean["se"] == pytest.approx(30.099, abs=0.0005)
    total = dclus2.total("enroll").iloc[0]
    assert total["estimate"] == pytest.approx(2639273, abs=0.5)
    assert total["se"] == pytest.approx(799638, abs=0.5)
    assert total["n"] == apiclus2["enroll"].notna().sum()
    # Weights derived from fpc1, fpc2 equal the data set's pw.
    np.testing.assert_allclose(dclus2.weights, apiclus2["pw"], rtol=1e-12)


def test_two_stage_with_replacement_matches_r(apiclus2):
    # api.Rout.save: dclus2wr <- svydesign(id=~dnum+snum, weights=~pw):
    # svymean(~api00) -> 670.81, SE 30.712; svytotal(~enroll) -> SE 820261
    design = SurveyDesign(apiclus2, weights="pw", cluster=["dnum", "snum"])
    assert design.mean("api00").iloc[0]["se"] == pytest.approx(30.712, abs=0.0005)
    assert design.total("enroll").iloc[0]["se"] == pytest.approx(820261, abs=0.5)


def test_svyby_mean_by_one_column_matches_r(dclus1, apiclus1):
    # example-domain: svyby(~api99, ~stype, dclus1, svymean) -> E 607.7917,
    # H 595.7143, M 608.6000. The SE of E follows from the published interval
    # of the same estimate, 563.0720-652.5114 = 607.7917 -/+ 1.959964 SE
    # (ftable(svyby(..., vartype="ci")) quoted in a public survey issue):
    # SE 22.8166.
    result = dclus1.mean("api99", by="stype")
    assert list(result["stype"]) == ["E", "H", "M"]
    np.testing.assert_allclose(
        result["estimate"], [607.7917, 595.7143, 608.6000], atol=5e-5
    )
    assert result["se"].iloc[0] == pytest.approx(22.8166, abs=5e-4)
    # No published SE was found for H and M: check them against an
    # independent textbook computation (Cochran 1977, ratio estimator in a
    # one-stage cluster sample with fpc; domain residuals are zero outside the
    # domain and every sampled district counts).
    for stype, se in zip(["H", "M"], result["se"].iloc[1:], strict=True):
        inside = apiclus1["stype"] == stype
        w = apiclus1["pw"] * inside
        ratio = (w * apiclus1["api99"]).sum() / w.sum()
        residual = w * (apiclus1["api99"] - ratio) / w.sum()
        totals = residual.groupby(apiclus1["dnum"]).sum()
        n = len(totals)
        variance = (1 - n / 757) * n / (n - 1) * ((totals - totals.mean()) ** 2).sum()
        assert se == pytest.approx(np.sqrt(variance), rel=1e-12)


def test_svyby_two_columns_two_variables_match_r(dclus1):
    # example-domain: svyby(~api99+api00, ~stype+sch.wide, dclus1, svymean,
    # keep.var=TRUE)
    published = {
        ("E", "No"): (601.6667, 596.3333, 47.27582, 43.49010),
        ("E", "Yes"): (608.3485, 653.6439, 21.52493, 20.31720),
        ("H", "No"): (662.0000, 659.3333, 29.23003, 27.00275),
        ("H", "Yes"): (577.6364, 607.4545, 46.50125, 43.70468),
        ("M", "No"): (611.3750, 606.3750, 41.11886, 41.11686),
        ("M", "Yes"): (607.2941, 643.2353, 42.53046, 42.12850),
    }
    by = ["stype", "sch.wide"]
    api99 = dclus1.mean("api99", by=by)
    api00 = dclus1.mean("api00", by=by)
    for (stype, wide), (m99, m00, se99, se00) in published.items():
        row99 = _row(api99, stype=stype, **{"sch.wide": wide})
        row00 = _row(api00, stype=stype, **{"sch.wide": wide})
        assert row99["estimate"] == pytest.approx(m99, abs=5e-5)
        assert row00["estimate"] == pytest.approx(m00, abs=5e-5)
        assert row99["se"] == pytest.approx(se99, abs=5e-6)
        assert row00["se"] == pytest.approx(se00, abs=5e-6)


def test_domain_total_matches_r(apiclus1):
    # example-domain: svytotal(~enroll, subset(dclus1, sch.wide=="Yes" &
    # comp.imp=="Yes")) -> 2406420, SE 645444
    frame = apiclus1.assign(
        both=(apiclus1["sch.wide"] == "Yes") & (apiclus1["comp.imp"] == "Yes")
    )
    design = SurveyDesign(frame, weights="pw", cluster="dnum", fpc="fpc")
    row = _row(design.total("enroll", by="both"), both=True)
    assert row["estimate"] == pytest.approx(2406420, abs=0.5)
    assert row["se"] == pytest.approx(645444, abs=0.5)


def test_proportion_matches_r_svymean_of_factor(apiclus1):
    # example-summary: svymean(~api00+api99+stype, dclus1) -> stypeE 0.786885,
    # SE 0.0463 (a proportion is the mean of a 0/1 indicator).
    frame = apiclus1.assign(elementary=apiclus1["stype"] == "E")
    design = SurveyDesign(frame, weights="pw", cluster="dnum", fpc="fpc")
    row = design.proportion("elementary").iloc[0]
    assert row["estimate"] == pytest.approx(0.786885, abs=5e-7)
    assert row["se"] == pytest.approx(0.0463, abs=5e-5)
    # No published svyciprop output was found for this variable, so the logit
    # interval is checked against an independent transcription of R's
    # svyciprop(method="logit") code: expit(logit(p) -/+ qt(.975, degf) * SE /
    # (p (1 - p))) with degf(dclus1) = 14.
    p, se = row["estimate"], row["se"]
    half = stats.t.ppf(0.975, 14) * se / (p * (1 - p))
    assert row["ci_low"] == pytest.approx(special.expit(special.logit(p) - half))
    assert row["ci_high"] == pytest.approx(special.expit(special.logit(p) + half))
    assert 0 < row["ci_low"] < p < row["ci_high"] < 1


def test_proportion_by_domain_matches_r_table(apiclus1):
    # The survey package's web example on tables of summary statistics
    # (r-survey.r-forge.r-project.org; read from a public web-text copy):
    # ftable(svymean(~interaction(stype, comp.imp), dclus1)) -> E.No mean
    # 0.17486339, SE 0.02599552: the whole-sample proportion of the cell.
    frame = apiclus1.assign(
        cell=(apiclus1["stype"] == "E") & (apiclus1["comp.imp"] == "No")
    )
    design = SurveyDesign(frame, weights="pw", cluster="dnum", fpc="fpc")
    row = design.proportion("cell").iloc[0]
    assert row["estimate"] == pytest.approx(0.17486339, abs=5e-9)
    assert row["se"] == pytest.approx(0.02599552, abs=5e-8)


def test_no_weights_no_clusters_is_simple_random_sampling():
    frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 7.0, 11.0]})
    row = SurveyDesign(frame).mean("y").iloc[0]
    assert row["estimate"] == pytest.approx(5.0)
    assert row["se"] == pytest.approx(np.std(frame["y"], ddof=1) / np.sqrt(5))
    assert row["df"] == 4


def test_fpc_without_clusters_counts_elements():
    frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 7.0], "N": [8, 8, 8, 8]})
    row = SurveyDesign(frame, fpc="N").mean("y").iloc[0]
    srs_se = np.std(frame["y"], ddof=1) / 2
    assert row["se"] == pytest.approx(srs_se * np.sqrt(1 - 4 / 8))


def test_missing_values_are_a_domain_not_a_cut(apistrat):
    frame = apistrat.copy()
    frame.loc[frame.index[:10], "api00"] = np.nan
    design = SurveyDesign(frame, weights="pw", strata="stype", fpc="fpc")
    frame["present"] = frame["api00"].notna()
    by_domain = SurveyDesign(frame, weights="pw", strata="stype", fpc="fpc")
    missing = design.mean("api00").iloc[0]
    domain = _row(by_domain.mean("api00", by="present"), present=True)
    assert missing["n"] == 190
    assert missing["estimate"] == pytest.approx(domain["estimate"])
    assert missing["se"] == pytest.approx(domain["se"])


def test_input_is_not_mutated(apistrat):
    before = apistrat.copy()
    design = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    design.mean("api00", by="cname")
    pd.testing.assert_frame_equal(apistrat, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": "nope"}, "'nope'"),
        ({"strata": "stype", "fpc": ["fpc", "fpc"]}, "one column per sampling stage"),
        ({"weights": "api00", "strata": "stype", "fpc": "api99"}, "fpc column 'api99'"),
    ],
)
def test_design_errors_name_the_column(apistrat, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SurveyDesign(apistrat, **kwargs)


def test_fpc_smaller_than_sample_is_rejected(apistrat):
    frame = apistrat.assign(small=10)
    with pytest.raises(ValueError, match=r"fpc column 'small' is 10\.0 in stratum"):
        SurveyDesign(frame, strata="stype", fpc="small")


def test_lonely_psu_fails_by_default_when_touched_and_can_be_removed():
    frame = pd.DataFrame(
        {"y": [1.0, 2.0, 3.0, 5.0], "h": ["a", "a", "a", "b"], "w": [1.0] * 4}
    )
    design = SurveyDesign(frame, weights="w", strata="h")
    # As R: the error comes with an estimate whose rows touch the stratum.
    with pytest.raises(ValueError, match=r"stratum 'b' \(stage 1\) has only one"):
        design.mean("y")
    frame["g"] = ["u", "u", "v", None]
    design = SurveyDesign(frame, weights="w", strata="h")
    assert _row(design.mean("y", by="g"), g="u")["se"] > 0
    design = SurveyDesign(frame, weights="w", strata="h", lonely_psu="remove")
    assert design.mean("y").iloc[0]["se"] > 0


def test_bad_variable_values_are_named(apistrat):
    design = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(ValueError, match="variable column 'missing'"):
        design.mean("missing")
    with pytest.raises(ValueError, match="'api00' must hold only 0/1"):
        design.proportion("api00")
    with pytest.raises(ValueError, match="'name' must be numeric"):
        design.mean("name")
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        design.mean("api00", level=95)


def test_simple_random_sample_with_and_without_fpc_matches_r(apisrs):
    # Lumley (2010), ch. 2, reproduced in the survey package's vignette and
    # course notes: srs_design <- svydesign(id=~1, fpc=~fpc, data=apisrs):
    # svytotal(~enroll) -> 3621074, SE 169520; svymean(~enroll) -> 584.61,
    # SE 27.368; svytotal(~stype) -> stypeE 4397.74, SE 196.00.
    # nofpc <- svydesign(id=~1, weights=~pw, data=apisrs): svytotal(~enroll)
    # -> SE 172325.
    srs = SurveyDesign(apisrs, fpc="fpc")
    total = srs.total("enroll").iloc[0]
    assert total["estimate"] == pytest.approx(3621074, abs=0.5)
    assert total["se"] == pytest.approx(169520, abs=0.5)
    mean = srs.mean("enroll").iloc[0]
    assert mean["estimate"] == pytest.approx(584.61, abs=0.005)
    assert mean["se"] == pytest.approx(27.368, abs=0.0005)
    elementary = SurveyDesign(apisrs.assign(E=apisrs["stype"] == "E"), fpc="fpc")
    row = elementary.total("E").iloc[0]
    assert row["estimate"] == pytest.approx(4397.74, abs=0.005)
    assert row["se"] == pytest.approx(196.00, abs=0.005)
    no_fpc = SurveyDesign(apisrs, weights="pw")
    assert no_fpc.total("enroll").iloc[0]["se"] == pytest.approx(172325, abs=0.5)


def test_repr_describes_the_design(dclus2):
    assert repr(dclus2) == (
        "SurveyDesign(126 rows, 1 strata, 40 PSUs, 2 stage(s), with fpc)"
    )


def test_compare_to_rest_matches_r_svyttest(dclus2):
    # r-survey.r-forge.r-project.org/pkgdown/docs/reference/svyttest.html:
    # svyttest(enroll~comp.imp, dclus2): t = -2.8882, df = 36,
    # p-value = 0.006518, 95% CI -384.24757 -67.22654, difference -225.7371;
    # svyttest(enroll~I(stype=="E"), dclus2): t = -9.8291, df = 36,
    # p-value = 9.826e-12, 95% CI -706.306 -464.688, difference -585.497.
    comp = _row(dclus2.compare_to_rest("enroll", by="comp.imp"), **{"comp.imp": "Yes"})
    assert comp["difference"] == pytest.approx(-225.7371, abs=5e-5)
    assert comp["ci_low"] == pytest.approx(-384.24757, abs=5e-6)
    assert comp["ci_high"] == pytest.approx(-67.22654, abs=5e-6)
    assert comp["df"] == 36
    assert comp["p_value"] == pytest.approx(0.006518, abs=5e-7)
    assert comp["difference"] / comp["se"] == pytest.approx(-2.8882, abs=5e-5)
    elementary = _row(dclus2.compare_to_rest("enroll", by="stype"), stype="E")
    assert elementary["difference"] == pytest.approx(-585.497, abs=5e-4)
    assert elementary["ci_low"] == pytest.approx(-706.306, abs=5e-4)
    assert elementary["ci_high"] == pytest.approx(-464.688, abs=5e-4)
    assert elementary["p_value"] == pytest.approx(9.826e-12, rel=5e-4)
    assert elementary["difference"] / elementary["se"] == pytest.approx(
        -9.8291, abs=5e-5
    )


def test_compare_to_rest_needs_two_domains(dclus2):
    with pytest.raises(ValueError, match="at least two domains"):
        dclus2.compare_to_rest("api00", by="fpc1")


def test_wilson_follows_survey_4_5s_svyciprop():
    # survey 4.1-1 (the R used for the reference data) has no "wilson". By
    # hand: a simple random sample of 10 with 3 ones has p = 0.3 and
    # Var = p(1 - p)/(n - 1), so survey 4.5's n_eff = p(1 - p)/Var = 9; its
    # interval is Wilson's (1927) score interval at n = 9 with z replaced by
    # t_9 = 2.2621571628: (p + t^2/18 -+ t/18 sqrt(36 p (1 - p) + t^2)) /
    # (1 + t^2/9) = [0.0872288956, 0.6577658295].
    design = SurveyDesign(pd.DataFrame({"y": [1.0] * 3 + [0.0] * 7}))
    row = design.proportion("y", method="wilson").iloc[0]
    assert row["df"] == 9
    assert row["ci_low"] == pytest.approx(0.0872288955649, rel=1e-10)
    assert row["ci_high"] == pytest.approx(0.6577658295409, rel=1e-10)
    assert row["method"] == "taylor-wilson"


def test_new_arguments_are_checked(apistrat):
    design = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(ValueError, match="method must be one of"):
        design.proportion("sch.wide", method="exact")
    with pytest.raises(ValueError, match=r"strictly between 0 and 1, got 1\.5"):
        design.quantile("api00", [0.5, 1.5])
    with pytest.raises(ValueError, match="interval_type must be one of"):
        design.quantile("api00", interval_type="score")
    with pytest.raises(ValueError, match="lonely_psu must be one of"):
        SurveyDesign(apistrat, strata="stype", lonely_psu="drop")
