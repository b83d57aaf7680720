"""Pages for officials: each needs a login, and each query is scoped to the user."""

from app.staff import audit, dashboard, deadlines, manage, routes  # noqa: F401  (registers the views)
from app.staff.blueprint import bp

__all__ = ["bp"]
