"""SIPAS-, PAPI- and PCI/DDCI-style indices and their intervals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import (
    composite_index,
    ddci_index,
    index_from_tallies,
    mean_ci,
    papi_index,
    sipas_index,
)
from analysis.intervals import dirichlet_mean_interval
from analysis.results import MIN_INTERVAL

# PCI 2021, Quảng Trị: ten sub-indices and the 2014-2021 weights (DOMAIN.md,
# from VCCI's published PCI 2021 profile); published composite 63.33.
QUANG_TRI_2021 = {
    "entry": 7.43, "land": 6.93, "transparency": 7.02, "time": 6.87,
    "informal": 6.89, "policy_bias": 4.95, "proactivity": 6.82,
    "business_support": 5.81, "labour": 5.39, "legal": 6.99,
}  # fmt: skip
PCI_WEIGHTS = {
    "entry": 5, "land": 5, "transparency": 20, "time": 5, "informal": 10,
    "policy_bias": 5, "proactivity": 5, "business_support": 20, "labour": 20,
    "legal": 5,
}  # fmt: skip

SCORING = {
    "items": {"a1": "access", "a2": "access", "p1": "procedure", "p2": "procedure",
              "p3": "procedure", "s1": "staff"},
    "reverse": ["p3"],
}  # fmt: skip


@pytest.fixture
def complete() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 240
    frame = pd.DataFrame(
        {item: rng.integers(1, 6, n).astype(float) for item in SCORING["items"]}
    )
    frame["unit"] = np.repeat(["U1", "U2", "U3"], n // 3)
    return frame


def _get(table, unit, name):
    return table[(table["unit"] == unit) & (table["name"] == name)].iloc[0]


def test_pci_composite_reproduces_quang_tri_2021():
    result = composite_index(QUANG_TRI_2021, PCI_WEIGHTS)
    # The published sub-indices are rounded to two decimals, so the weighted
    # sum is 63.325, which rounds half up to the published 63.33.
    assert result.estimate == pytest.approx(63.325, abs=1e-9)
    assert (
        float(
            Decimal(f"{result.estimate:.6f}").quantize(Decimal("0.01"), ROUND_HALF_UP)
        )
        == 63.33
    )
    assert np.isnan(result.low)


def test_composite_interval_assumes_independent_subindices():
    se = dict.fromkeys(QUANG_TRI_2021, 0.1)
    result = composite_index(QUANG_TRI_2021, PCI_WEIGHTS, se)
    shares = np.array(list(PCI_WEIGHTS.values())) / 100
    expected_se = 10 * np.sqrt(np.sum(shares**2 * 0.01))
    assert result.se == pytest.approx(expected_se)
    assert result.high - result.estimate == pytest.approx(1.959964 * expected_se)
    assert result.method == "weighted-sum-independent"


def test_composite_rejects_mismatched_names():
    with pytest.raises(ValueError, match="same sub-indices"):
        composite_index({"a": 1.0}, {"b": 1.0})


def test_sipas_complete_data_equals_respondent_level_t_interval(complete):
    table = sipas_index(complete, SCORING)
    unit = complete[complete["unit"] == "U2"]
    satisfied = unit[list(SCORING["items"])].copy()
    satisfied["p3"] = 6 - satisfied["p3"]
    satisfied = (satisfied >= 4).astype(float)
    factors = pd.DataFrame(
        {
            "access": satisfied[["a1", "a2"]].mean(axis=1),
            "procedure": satisfied[["p1", "p2", "p3"]].mean(axis=1),
            "staff": satisfied["s1"],
        }
    )
    per_respondent = 100 * factors.mean(axis=1)
    expected = mean_ci(per_respondent)
    row = _get(table, "U2", "index")
    assert row["estimate"] == pytest.approx(expected.estimate)
    assert row["se"] == pytest.approx(expected.se)
    assert row["ci_low"] == pytest.approx(expected.low)
    assert row["ci_high"] == pytest.approx(expected.high)
    procedure = _get(table, "U2", "procedure")
    assert procedure["estimate"] == pytest.approx(100 * factors["procedure"].mean())
    criterion = _get(table, "U2", "p3")
    assert criterion["estimate"] == pytest.approx(100 * satisfied["p3"].mean())


def test_sipas_criterion_mean_aggregation(complete):
    table = sipas_index(complete, SCORING, by=None, aggregation="criterion-mean")
    criteria = table[table["tier"] == "criterion"]["estimate"]
    index = table[table["tier"] == "index"]["estimate"].item()
    assert index == pytest.approx(criteria.mean())


def test_sipas_with_skipped_items_is_mean_of_available_answers(complete):
    frame = complete.copy()
    frame.loc[frame.index[::3], "a2"] = np.nan
    table = sipas_index(frame, SCORING, by=None)
    access = table[table["name"] == "access"]["estimate"].item()
    expected = 50 * ((frame["a1"] >= 4).mean() + (frame["a2"].dropna() >= 4).mean())
    assert access == pytest.approx(expected)
    assert table[table["name"] == "access"]["n"].item() == len(frame)
    criterion = table[table["name"] == "a2"].iloc[0]
    answered = 100 * (frame["a2"].dropna() >= 4).astype(float)
    assert criterion["n"] == len(answered)
    assert criterion["se"] == pytest.approx(mean_ci(answered).se)
    assert criterion["ci_low"] == pytest.approx(mean_ci(answered).low)


def test_papi_dimensions_on_1_to_10_and_total_is_their_sum(complete):
    table = papi_index(complete, SCORING)
    unit = table[table["unit"] == "U1"]
    dimensions = unit[unit["tier"] == "dimension"]
    assert dimensions["estimate"].between(1, 10).all()
    total = unit[unit["tier"] == "total"].iloc[0]
    assert total["estimate"] == pytest.approx(dimensions["estimate"].sum())
    staff = complete.loc[complete["unit"] == "U1", "s1"]
    expected = 1 + 9 * (staff - 1) / 4
    row = dimensions[dimensions["name"] == "staff"].iloc[0]
    assert row["estimate"] == pytest.approx(expected.mean())
    assert row["ci_low"] == pytest.approx(mean_ci(expected).low)


def test_ddci_composite_is_weighted_subindices(complete):
    scoring = {**SCORING, "weights": {"access": 20, "procedure": 50, "staff": 30}}
    table = ddci_index(complete, scoring, by=None)
    sub = table[table["tier"] == "subindex"].set_index("name")["estimate"]
    composite = table[table["tier"] == "composite"].iloc[0]
    expected = 10 * (0.2 * sub["access"] + 0.5 * sub["procedure"] + 0.3 * sub["staff"])
    assert composite["estimate"] == pytest.approx(expected)
    assert (
        0 <= composite["ci_low"] < composite["estimate"] < composite["ci_high"] <= 100
    )


def test_small_units_are_suppressed(complete):
    frame = complete.copy()
    frame.loc[frame.index[:3], "unit"] = "tiny"
    table = sipas_index(frame, SCORING)
    tiny = table[table["unit"] == "tiny"]
    assert tiny["suppressed"].all() and tiny["estimate"].isna().all()


def test_indices_need_dimensions(complete):
    with pytest.raises(ValueError, match="no dimensions"):
        papi_index(complete, list(SCORING["items"]))


def test_interval_limits_stay_in_each_tier_range():
    # Nearly every respondent at the top: the t interval would pass 10 and 100.
    # (MIN_INTERVAL of them: fewer get no interval at all.)
    answers = [5.0] * (MIN_INTERVAL - 1) + [4.0]
    frame = pd.DataFrame({item: answers for item in SCORING["items"]} | {"unit": "U"})
    frame["p3"] = 1.0  # reverse coded: top of the scale
    table = papi_index(frame, SCORING)
    assert table["ci_high"].notna().all()
    dimensions = table[table["tier"] == "dimension"]
    assert (dimensions["ci_high"] <= 10).all() and (dimensions["ci_low"] >= 1).all()
    total = table[table["tier"] == "total"].iloc[0]
    assert total["ci_low"] >= 3 and total["ci_high"] <= 30


@pytest.mark.parametrize("answer", [5.0, 1.0, 3.0])
def test_no_tier_has_an_interval_of_zero_width(answer):
    # Thirty respondents giving the same answer everywhere: every tier's
    # standard error is 0 and the t interval used to be (100, 100).
    frame = pd.DataFrame({item: [answer] * 30 for item in SCORING["items"]})
    frame["p3"] = 6.0 - answer  # reverse coded: the same score as the others
    frame["unit"] = "U"
    tables = [
        sipas_index(frame, SCORING),
        papi_index(frame, SCORING),
        ddci_index(frame, SCORING),
    ]
    for table in tables:
        assert (table["se"] == 0).all()
        assert (table["ci_high"] > table["ci_low"]).all()
        assert (table["ci_low"] <= table["estimate"]).all()
        assert (table["estimate"] <= table["ci_high"]).all()
        assert (table["method"] == "perks-beta").all()
    # SIPAS: 30 of 30 (or 0 of 30) satisfied gives Jeffreys' interval,
    # Beta(30.5, 0.5) (or its mirror), with the estimate as one limit.
    sipas = tables[0]
    edge = 100 * stats.beta.ppf(0.025, 30.5, 0.5)
    expected = [edge, 100.0] if answer == 5 else [0.0, 100 - edge]
    assert sipas[["ci_low", "ci_high"]].to_numpy() == pytest.approx(
        np.tile(expected, (len(sipas), 1)), abs=1e-9
    )
    # PAPI's dimensions on 1-10: the prior is the 1-5 answers carried there.
    papi = tables[1].iloc[0]
    share = (answer - 1) / 4
    low, high = dirichlet_mean_interval(
        30, 30 * share, 30 * share**2, (0, 1), points=[0, 0.25, 0.5, 0.75, 1]
    )
    assert [papi["ci_low"], papi["ci_high"]] == pytest.approx(
        [1 + 9 * low, 1 + 9 * high], abs=1e-12
    )


def test_tiers_with_spread_keep_the_t_interval(complete):
    table = sipas_index(complete, SCORING)
    assert (table["method"] == "linearised-t").all()


ONE_ITEM = {"items": {"overall": "visit"}}


@pytest.fixture
def one_item() -> pd.DataFrame:
    """One rating per respondent, some skipped; a unit all satisfied, a tiny one."""
    rng = np.random.default_rng(17)
    values = rng.integers(1, 6, 300).astype(float)
    values[rng.random(300) < 0.1] = np.nan
    values[200:240] = 5.0  # U3: everyone satisfied, standard error 0
    units = np.repeat(["U1", "U2", "U3", "U4"], [120, 80, 40, 60])
    frame = pd.DataFrame({"unit": units, "overall": values})
    return pd.concat(
        [frame, pd.DataFrame({"unit": ["U5"] * 3, "overall": [4.0, 2.0, 5.0]})],
        ignore_index=True,
    )


def _tallies(frame: pd.DataFrame, satisfied_min: float) -> pd.DataFrame:
    """The item tallies of ``frame``, as the catch-up keeps them."""
    answered = frame.dropna(subset=["overall"])
    value = answered["overall"]
    return (
        answered.assign(
            total=value, total_sq=value * value, satisfied=value >= satisfied_min
        )
        .groupby("unit", as_index=False)
        .agg(
            n=("overall", "size"),
            total=("total", "sum"),
            total_sq=("total_sq", "sum"),
            satisfied=("satisfied", "sum"),
        )
        .assign(item="overall", kind="item")
    )


@pytest.mark.parametrize(
    ("method", "compute"),
    [("sipas", sipas_index), ("papi", papi_index), ("ddci", ddci_index)],
)
def test_a_one_item_index_from_tallies_equals_the_one_from_respondents(
    one_item, method, compute
):
    options = {"satisfied_min": 4} if method == "sipas" else {}
    expected = compute(one_item, ONE_ITEM, **options)
    ours = index_from_tallies(_tallies(one_item, 4), ONE_ITEM, method, **options)
    assert list(ours.columns) == list(expected.columns)
    assert len(ours) == len(expected)
    for column in expected.columns:
        if pd.api.types.is_float_dtype(expected[column]):
            np.testing.assert_allclose(
                ours[column].to_numpy(), expected[column].to_numpy(), rtol=1e-9
            )
        else:
            assert ours[column].tolist() == expected[column].tolist(), column
    # The all-satisfied unit's interval is the Perks one, not of zero width.
    assert "perks-beta" in set(ours["method"])


def test_an_index_of_several_items_is_not_taken_from_tallies(complete):
    with pytest.raises(ValueError, match="each respondent"):
        index_from_tallies(pd.DataFrame(), SCORING, "sipas")
