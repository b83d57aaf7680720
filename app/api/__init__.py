"""Machine interfaces for outside systems: Open311 GeoReport v2 at ``/open311/v2/``
and the JSON API at ``/api/v1/`` (``app.api.v1``); both take integration keys.
"""

from flask import Flask

from app.api import blueprint, open311, v1  # noqa: F401  (registers the views)
from app.api.blueprint import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register both interfaces."""
    blueprint.init_app(app)
    v1.init_app(app)
