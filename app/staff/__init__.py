"""Pages for officials: each needs a login, and each query is scoped to the user."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from app.staff import dashboard, manage, routes  # noqa: E402, F401  (registers the views)
