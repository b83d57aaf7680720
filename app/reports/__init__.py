"""Reports of a unit or of the district: the data once, then PDF, XLSX and CSV."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

from app.reports import routes  # noqa: E402, F401  (registers the views)
