"""Pages anyone may open without logging in."""

from app.public import cases, routes, survey  # noqa: F401  (registers the views)
from app.public.blueprint import bp

__all__ = ["bp"]
