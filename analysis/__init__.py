"""Statistics for survey responses: pure functions over pandas DataFrames.

This package imports only numpy, pandas and SciPy. It knows nothing of Flask, of the
database, or of the questionnaire engine, so it can be used from a notebook on an
exported CSV.

Its names load with their module on first use (SPEC 1, as SciPy's own
subpackages do): ``import analysis`` costs nothing, so the web application can
start without SciPy and load it with the first report.
"""

from __future__ import annotations

import importlib

#: Each public name and the module that defines it.
_MODULE_OF = {
    "Estimate": "results",
    "PPSDesign": "pps",
    "ReplicateDesign": "replicates",
    "ScoringMap": "scoring",
    "SurveyDesign": "design",
    "alpha_by_dimension": "reliability",
    "calibrate": "calibration",
    "compare_to_rest": "comparisons",
    "compare_to_rest_from_tallies": "comparisons",
    "composite_index": "indices",
    "cronbach_alpha": "reliability",
    "ddci_index": "indices",
    "index_from_tallies": "indices",
    "indicator_rates": "scorecard",
    "mean_ci": "intervals",
    "official_ratings": "officials",
    "papi_index": "indices",
    "period_change": "comparisons",
    "post_stratify": "calibration",
    "proportion_ci": "intervals",
    "rake": "calibration",
    "rank_units": "comparisons",
    "rank_units_from_tallies": "comparisons",
    "rao_scott_test": "contingency",
    "scale_points": "intervals",
    "scorecard_totals": "scorecard",
    "sipas_index": "indices",
    "summary_from_tallies": "summaries",
    "unit_summary": "summaries",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    """Import the module that defines ``name`` the first time it is asked for."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"analysis.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
