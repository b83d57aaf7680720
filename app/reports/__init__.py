"""Reports of a unit or of the district: the data once, then PDF, XLSX and CSV."""

from app.reports import codebook, routes  # noqa: F401  (registers the views)
from app.reports.blueprint import bp

__all__ = ["bp"]
