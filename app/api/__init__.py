"""Machine interfaces for outside systems: Open311 GeoReport v2 at ``/open311/v2/``."""

from app.api import open311  # noqa: F401  (registers the views)
from app.api.blueprint import bp, init_app

__all__ = ["bp", "init_app"]
