"""Reading a request's query and writing an answer, as the shapes describe them."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, request
from pydantic import BaseModel, ValidationError

from app.api.v1.blueprint import JSON
from app.api.v1.problems import Problem

M = TypeVar("M", bound=BaseModel)


def query_of(model: type[M]) -> M:
    """Return the request's query parameters as ``model``; refuse them with a 400.

    The problem names each bad parameter and why (pydantic's error type, the
    same in every language).
    """
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise _bad_request(error) from None


def body_of(model: type[M]) -> M:
    """Return the request's JSON body as ``model``; refuse it with a 400 as
    ``query_of`` refuses a query (a body that is not JSON names ``body``)."""
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        raise _bad_request(error) from None


def _bad_request(error: ValidationError) -> Problem:
    """The 400 naming each bad parameter and why."""
    invalid = [
        {
            "name": ".".join(str(part) for part in item["loc"]) or "body",
            "reason": item["type"],
        }
        for item in error.errors()
    ]
    names = ", ".join(item["name"] for item in invalid)
    return Problem("bad-request", {"names": names}, {"invalid_params": invalid})


def answer(body: BaseModel, status: int = 200) -> Response:
    """Return ``body`` as JSON."""
    return Response(
        body.model_dump_json(), status, content_type=f"{JSON}; charset=utf-8"
    )
