"""The JSON API at ``/api/v1/``, described by the OpenAPI 3.1 document it serves.

Modules: ``blueprint`` (the blueprint and what each view says of itself),
``access`` (keys, scope, rate limits, audit of writes), ``problems`` (errors as
problem documents), ``shapes`` (pydantic models), ``answers`` (query in, JSON
out), ``resources`` (the read views), ``openapi`` (the document and its page).
Later resources (responses, results, access codes, dossiers, cases) are one more
module of views each, imported here.
"""

from app.api.v1 import (  # noqa: F401
    access,
    openapi,
    problems,
    resources,
    responses,
    results,
)
from app.api.v1.blueprint import bp, init_app

__all__ = ["bp", "init_app"]
