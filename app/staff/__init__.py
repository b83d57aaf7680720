"""Pages for officials: each needs a login, and each query is scoped to the user."""

from app.staff import (  # noqa: F401  (registers the views)
    audit,
    dashboard,
    dossier_import,
    manage,
    routes,
)
from app.staff.blueprint import bp

__all__ = ["bp"]
