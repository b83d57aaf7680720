"""Statistics for survey responses: pure functions over pandas DataFrames.

This package imports only numpy, pandas and SciPy. It knows nothing of Flask, of the
database, or of the questionnaire engine, so it can be used from a notebook on an
exported CSV.
"""

from analysis.comparisons import (
    compare_to_rest,
    compare_to_rest_from_tallies,
    period_change,
    rank_units,
    rank_units_from_tallies,
)
from analysis.design import SurveyDesign
from analysis.indices import composite_index, ddci_index, papi_index, sipas_index
from analysis.intervals import mean_ci, proportion_ci
from analysis.officials import official_ratings
from analysis.reliability import alpha_by_dimension, cronbach_alpha
from analysis.results import Estimate
from analysis.scoring import ScoringMap
from analysis.summaries import summary_from_tallies, unit_summary

__all__ = [
    "Estimate",
    "ScoringMap",
    "SurveyDesign",
    "alpha_by_dimension",
    "compare_to_rest",
    "compare_to_rest_from_tallies",
    "composite_index",
    "cronbach_alpha",
    "ddci_index",
    "mean_ci",
    "official_ratings",
    "papi_index",
    "period_change",
    "proportion_ci",
    "rank_units",
    "rank_units_from_tallies",
    "sipas_index",
    "summary_from_tallies",
    "unit_summary",
]
