"""The OpenAPI 3.1 document of ``/api/v1``, built from the routes and their shapes.

apispec assembles the document; pydantic writes the schemas (JSON Schema 2020-12,
which OpenAPI 3.1 takes as it is). Paths come from ``app.url_map``, operations
from ``blueprint.OPERATIONS``: a route of the blueprint that is not described
is left out, and ``tests/app/api_v1`` fails on it. Built once per app (the map
does not change after start-up), in English: it is read by developers.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from flask import Flask, Response, current_app, render_template
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from app.api.v1.blueprint import (
    JSON,
    MAX_ROW_ID,
    OPERATIONS,
    Operation,
    bp,
    operation,
)
from app.api.v1.problems import KINDS, PROBLEM_TYPE
from app.api.v1.shapes import DocumentOut, ProblemOut

OPENAPI_VERSION = "3.1.0"
SCHEMAS = "#/components/schemas/{model}"
#: A rule's variable part: ``<int:version>`` or ``<unit_code>``.
VARIABLE = re.compile(
    r"<(?:(?P<converter>\w+)(?:\((?P<arguments>[^)]*)\))?:)?(?P<name>\w+)>"
)
#: An ``int`` converter's upper bound: ``<int(max=2147483647):dossier_id>``.
MAXIMUM = re.compile(r"\bmax=(?P<maximum>\d+)")
#: Routes of the blueprint that the document leaves out on purpose.
UNDOCUMENTED = frozenset({"api_v1.unknown"})
PROBLEM = {"$ref": "#/components/responses/Problem"}


def document(app: Flask) -> dict[str, Any]:
    """Return the app's OpenAPI document (built on the first call)."""
    built = app.extensions.get("api_v1_openapi")
    if built is None:
        built = app.extensions["api_v1_openapi"] = _build(app)
    return built


def _build(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="hailong API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        info={
            "description": (
                "Read the units, counters, officials, campaigns, questionnaires, "
                "per-unit results, responses, access codes, dossiers and feedback "
                "cases an integration key reaches: its unit and every unit below "
                "it; with a key that may write, send responses and issue and "
                "revoke access codes. "
                "Send the key as `Authorization: Bearer <key>`; managers make "
                "keys on the staff page Integration keys. Lists are paged by "
                "cursor. Errors are RFC 9457 problem documents, their `title` "
                "and `detail` in the language of `Accept-Language` (vi or en)."
            )
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    _, schemas = models_json_schema(
        [(model, "serialization") for model in _models()], ref_template=SCHEMAS
    )
    for name, schema in sorted(schemas.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    spec.components.response(
        "Problem",
        {
            "description": "The request was refused: see `type` and `detail`.",
            "content": {PROBLEM_TYPE: {"schema": {"$ref": _ref(ProblemOut)}}},
        },
    )
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        described = OPERATIONS.get(rule.endpoint)
        if described is None:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        spec.path(
            path=VARIABLE.sub(r"{\g<name>}", rule.rule),
            operations={
                method.lower(): _operation(rule, described) for method in methods
            },
        )
    return spec.to_dict()


def _models() -> list[type[BaseModel]]:
    found = {ProblemOut}
    found |= {op.response for op in OPERATIONS.values() if op.response is not None}
    found |= {op.body for op in OPERATIONS.values() if op.body is not None}
    return sorted(found, key=lambda model: model.__name__)


def _ref(model: type[BaseModel]) -> str:
    return SCHEMAS.format(model=model.__name__)


def _operation(rule: Rule, described: Operation) -> dict[str, Any]:
    parameters = _path_parameters(rule) + _query_parameters(described)
    if described.response is not None:
        content = {described.media_type: {"schema": {"$ref": _ref(described.response)}}}
    else:
        content = {described.media_type: {}}
    responses: dict[str, Any] = {
        str(status): {"description": HTTPStatus(status).phrase, "content": content}
        for status in described.statuses
    }
    if parameters or described.body is not None:
        responses["400"] = PROBLEM
    if not described.public:
        responses |= {"401": PROBLEM, "403": PROBLEM, "429": PROBLEM}
    if rule.arguments:
        responses["404"] = PROBLEM
    responses |= {str(status): PROBLEM for status in described.refusals}
    responses["default"] = PROBLEM
    found: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix(f"{bp.name}."),
        "tags": [described.tag],
        "summary": described.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if described.body is not None:
        found["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": {"$ref": _ref(described.body)}}},
        }
    if described.description:
        found["description"] = described.description
    if described.public:
        found["security"] = []
    else:
        found["security"] = [{"bearer": []}]
    return found


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    parameters = []
    for match in VARIABLE.finditer(rule.rule):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID}
            if match["converter"] == "int"
            else {"type": "string", "minLength": 1}
        )
        bound = MAXIMUM.search(match["arguments"] or "")
        if bound is not None:
            schema["maximum"] = int(bound["maximum"])
        parameters.append(
            {"name": match["name"], "in": "path", "required": True, "schema": schema}
        )
    return parameters


def _query_parameters(described: Operation) -> list[dict[str, Any]]:
    if described.query is None:
        return []
    schema = described.query.model_json_schema(ref_template=SCHEMAS)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        field = dict(field)
        description = field.pop("description", None)
        field.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _without_null(field),
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the null branch of an optional parameter: a query has no null."""
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    if len(branches) != 1:
        return schema
    rest = {
        k: v
        for k, v in schema.items()
        if k != "anyOf" and not (k == "default" and v is None)
    }
    return branches[0] | rest


@bp.get("/openapi.json")
@operation("documentation", response=DocumentOut, public=True)
def openapi_document() -> Response:
    """This document."""
    return current_app.json.response(document(current_app))


@bp.get("/docs")
@operation("documentation", media_type="text/html", public=True)
def docs() -> str:
    """This document as a page, for people (works offline)."""
    built = document(current_app)
    return render_template(
        "api_v1/docs.html", document=built, kinds=list(KINDS.values())
    )
