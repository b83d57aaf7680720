"""Statistics for survey responses: pure functions over pandas DataFrames.

This package imports only numpy, pandas and SciPy. It knows nothing of Flask, of the
database, or of the questionnaire engine, so it can be used from a notebook on an
exported CSV.
"""

from analysis.design import SurveyDesign
from analysis.intervals import mean_ci, proportion_ci
from analysis.reliability import cronbach_alpha
from analysis.results import Estimate
from analysis.scoring import ScoringMap
from analysis.summaries import unit_summary

__all__ = [
    "Estimate",
    "ScoringMap",
    "SurveyDesign",
    "cronbach_alpha",
    "mean_ci",
    "proportion_ci",
    "unit_summary",
]
