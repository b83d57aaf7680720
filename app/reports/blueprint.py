"""The ``reports`` blueprint itself, which its view modules register on.

Apart from the package's ``__init__`` so that the views import it without
importing the package that imports them (no import circle).
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")
