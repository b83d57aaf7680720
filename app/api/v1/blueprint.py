"""The ``api_v1`` blueprint, and what each of its views says about itself.

A view is declared with Flask's own ``@bp.get(...)`` and described with
``@operation(...)``: its tag, the pydantic model of its query and of its answer.
``app.api.v1.openapi`` builds the OpenAPI document from these and from
``app.url_map``, so the document cannot list a route that does not exist, and a
test fails on a route it does not list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Blueprint, Flask
from pydantic import BaseModel

from app.security import csrf

F = TypeVar("F", bound=Callable[..., object])

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
# Clients send a key in a header, not a session cookie: there is no browser
# session a forged request could ride on.
csrf.exempt(bp)

JSON = "application/json"
#: The largest row id a path takes: the databases' 32-bit integer keys (the
#: document's ``maximum`` of every ``<int:...>``), so a larger number is a 404,
#: not an overflow (``_beyond_integers``).
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one view."""

    #: Groups operations in the document and on the docs page.
    tag: str
    #: The first line of the view's docstring, and the rest.
    summary: str
    description: str
    #: The query parameters, as one model (``query_of`` validates them).
    query: type[BaseModel] | None
    #: The answer's body (JSON), or None for a download of ``media_type``.
    response: type[BaseModel] | None
    media_type: str
    #: True: answered without a key (the document and its page).
    public: bool
    #: The request's body (JSON), for a view that takes one.
    body: type[BaseModel] | None = None
    #: The statuses that answer ``response`` (a write: 201 stored, 200 a retry).
    statuses: tuple[int, ...] = (200,)
    #: Refusals the view itself may answer besides those of every view (404
    #: an object its body names, 409 a conflict, 422 what cannot be taken).
    refusals: tuple[int, ...] = ()


#: Each view's operation, by endpoint (``api_v1.units``).
OPERATIONS: dict[str, Operation] = {}


def operation(
    tag: str,
    *,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    media_type: str = JSON,
    public: bool = False,
    body: type[BaseModel] | None = None,
    statuses: tuple[int, ...] = (200,),
    refusals: tuple[int, ...] = (),
) -> Callable[[F], F]:
    """Describe a view of ``bp`` for the OpenAPI document (put under ``@bp.get``
    or ``@bp.post``)."""

    def describe(view: F) -> F:
        summary, _, description = (view.__doc__ or "").strip().partition("\n")
        OPERATIONS[f"{bp.name}.{view.__name__}"] = Operation(
            tag,
            summary.strip(),
            " ".join(description.split()),
            query,
            response,
            media_type,
            public,
            body,
            statuses,
            refusals,
        )
        return view

    return describe


@bp.url_value_preprocessor
def _beyond_integers(_endpoint: str | None, values: dict[str, object] | None) -> None:
    """Make an ``<int:...>`` of the path beyond the databases' integers -1.

    No row has it (the converter takes no sign), so the view answers the 404 of
    anything not found, after the key is checked, where the query would have
    failed (SQLite past 64 bits, PostgreSQL past 32: a 500).
    """
    for name, value in (values or {}).items():
        if isinstance(value, int) and value > MAX_ROW_ID:
            values[name] = -1  # type: ignore[index]


def init_app(app: Flask) -> None:
    """Set the API's defaults and register its blueprint."""
    #: Requests of one network address to ``/api/v1`` (key guessing included);
    #: each key has its own ``rate_limit`` besides.
    app.config.setdefault("API_LIMIT_ADDRESS", "300/minute;20000/day")
    app.register_blueprint(bp)
