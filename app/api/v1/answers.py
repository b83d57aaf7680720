"""Reading a request's query and writing an answer, as the shapes describe them."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, request
from pydantic import BaseModel, ValidationError

from app.api.v1.blueprint import JSON
from app.api.v1.problems import Problem, bad_parameter

M = TypeVar("M", bound=BaseModel)


def query_of(model: type[M]) -> M:
    """Return the request's query parameters as ``model``; refuse them with a 400.

    The problem names each bad parameter and why (pydantic's error type, the
    same in every language).
    """
    return _validated(model, request.args.to_dict())


def body_of(model: type[M]) -> M:
    """Return the request's JSON body as ``model``; refuse it with a 400 as
    ``query_of`` does (a body that is not a JSON object names ``body``)."""
    sent = request.get_json(silent=True)
    if not isinstance(sent, dict):
        raise bad_parameter("body", "object_type")
    return _validated(model, sent)


def _validated(model: type[M], values: dict[str, object]) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        invalid = [
            {
                "name": ".".join(str(part) for part in item["loc"]) or "body",
                "reason": item["type"],
            }
            for item in error.errors()
        ]
        names = ", ".join(item["name"] for item in invalid)
        raise Problem(
            "bad-request", {"names": names}, {"invalid_params": invalid}
        ) from None


def answer(body: BaseModel, status: int = 200) -> Response:
    """Return ``body`` as JSON."""
    return Response(
        body.model_dump_json(), status, content_type=f"{JSON}; charset=utf-8"
    )
