"""Pages anyone may open without logging in."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import routes, survey  # noqa: E402, F401  (registers the views)
