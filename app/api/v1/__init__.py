"""The JSON API at ``/api/v1/``, described by the OpenAPI 3.1 document it serves.

Modules: ``blueprint`` (the blueprint and what each view says of itself),
``access`` (keys, scope, rate limits, audit of writes), ``problems`` (errors as
problem documents), ``shapes`` (pydantic models), ``answers`` (query in, JSON
out), ``resources`` (the read views), ``openapi`` (the document and its page).
Each later resource is one more module of views, imported here: ``results``,
``responses``, ``access_codes``, ``dossier_reads``, ``case_reads``.
"""

from app.api.v1 import (  # noqa: F401
    access,
    access_codes,
    case_reads,
    dossier_reads,
    openapi,
    problems,
    resources,
    responses,
    results,
)
from app.api.v1.blueprint import bp, init_app

__all__ = ["bp", "init_app"]
