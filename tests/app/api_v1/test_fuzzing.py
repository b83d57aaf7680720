"""Every operation of the OpenAPI document, fuzzed by schemathesis as a client
would call it: no 5xx, only documented statuses and content types, and bodies
that match the document's schemas.

The schema is read from the app itself (WSGI, no network) and walked whole, so
an operation added to ``app/api/v1`` is fuzzed without this file changing. The
data are two wards of a district, ward A with a counter campaign that has
ratings; path and query parameters named in ``test_reads.PARAMETERS`` and
``QUERY`` are drawn now and then from those objects (ward A's: answers with real
bodies; ward B's: 404s), else generated. Three callers: a key of ward A that may
read, write and read officials; a key that may only read; no key at all.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy.orm import Session

from app.db import READING_METHODS
from surveys.cases.integration_keys import create_key
from tests.app.api_v1.conftest import Ward, bearer, make_rated_ward
from tests.app.api_v1.test_reads import PARAMETERS, QUERY

#: What schemathesis checks of each answer. Not ``positive_data_acceptance``:
#: a cursor is opaque, so a well-formed one that is not ours is rightly a 400.
CHECKS = [
    negative_data_rejection,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Limits far above what the fuzzing sends: a 429 would hide the operations.
UNLIMITED = "1000000/minute"

#: Requests per caller, shared by the operations and both generation modes
#: (so that new operations do not lengthen the suite), and the fewest examples
#: of one operation in one mode: the key that reaches most is fuzzed most.
REQUESTS = {"writer": 320, "reader": 100, "anonymous": 50}
FEWEST = {"writer": 6, "reader": 3, "anonymous": 2}
#: Who calls: the rights of its key, or None for no key.
CALLERS = {
    "writer": {"can_read": True, "can_write": True, "can_read_officials": True},
    "reader": {"can_read": True, "can_write": False, "can_read_officials": False},
    "anonymous": None,
}


@pytest.fixture(params=list(CALLERS))
def caller(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def fuzzed_wards(db_session: Session, wards: tuple[Ward, Ward]) -> list[Ward]:
    """Ward A's own objects, a rated ward below it, and ward B's (out of reach)."""
    rated = make_rated_ward(db_session, wards[0].unit, ratings=12)
    db_session.commit()
    return [wards[0], rated, wards[1]]


@pytest.fixture
def headers(db_session: Session, fuzzed_wards: list[Ward], caller: str) -> dict:
    rights = CALLERS[caller]
    if rights is None:
        return {}
    _key, secret = create_key(
        db_session,
        None,
        fuzzed_wards[0].unit,
        f"Fuzzing {caller}",
        rate_limit=UNLIMITED,
        **rights,
    )
    db_session.commit()
    return bearer(secret)


def known_values(ward: Ward) -> dict[str, Any]:
    """The parameters the route tests know how to fill, from ``ward``."""
    return {name: fill(ward) for name, fill in (PARAMETERS | QUERY).items()}


def filled(case: schemathesis.Case, known: dict[str, Any] | None) -> schemathesis.Case:
    """The case with every parameter of a name in ``known`` set from it; a case
    made to break the document is left as it is (it could be what breaks it)."""
    negative = case.meta is not None and not case.meta.generation.mode.is_positive
    if known is not None and not negative:
        for part in ("path_parameters", "query"):
            generated = getattr(case, part)
            if generated:
                setattr(
                    case,
                    part,
                    {name: known.get(name, value) for name, value in generated.items()},
                )
    return case


def api_schema(app: Flask, fuzzed: list[Ward]) -> OpenApiSchema:
    """The app's own document; a case keeps what was generated or takes the
    parameters the route tests know from one of the ``fuzzed`` wards."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    choices = [None, *(known_values(ward) for ward in fuzzed)]

    @loaded.hook
    def flatmap_case(
        _context: Any, case: schemathesis.Case
    ) -> st.SearchStrategy[schemathesis.Case]:
        return st.sampled_from(choices).map(lambda known: filled(case, known))

    return loaded


def refused_as_it_should_be(
    caller: str, operation: APIOperation, answer: schemathesis.Response
) -> None:
    """What a caller's key does not allow is never answered: no key, no data
    (a 401 says how to send one); no write without a write key; no official
    without a key made to read them."""
    secured = operation.definition.raw["security"] != []
    if caller == "anonymous" and secured:
        assert answer.status_code >= 400
        if answer.status_code == 401:
            assert answer.headers["www-authenticate"][0].startswith("Bearer")
    if caller == "reader":
        if operation.method.upper() not in READING_METHODS:
            assert answer.status_code >= 400
        if "officials" in operation.definition.raw["tags"]:
            assert answer.status_code >= 400
        if answer.status_code == 200 and "json" in answer.headers["content-type"][0]:
            assert answer.json().get("officials") is None


def failures_of(
    operation: APIOperation,
    mode: GenerationMode,
    caller: str,
    headers: dict,
    examples: int,
) -> str | None:
    """Fuzz one operation; return what went wrong, or None."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking: a failure is reported as found (the run is derandomized,
        # so it comes back the same), not after minutes of smaller tries.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        answer = case.call_and_validate(headers=headers, checks=CHECKS)
        refused_as_it_should_be(caller, operation, answer)

    try:
        fuzz()
    except Unsatisfiable:
        # Nothing to make wrong in a request without parameters.
        assert mode is GenerationMode.NEGATIVE, operation.label
    except (FailureGroup, Exception) as failed:
        return f"{mode.value} {operation.label}: {failed}"
    return None


def test_every_operation_answers_as_documented(
    app: Flask, fuzzed_wards: list[Ward], headers: dict, caller: str
) -> None:
    app.config["API_LIMIT_ADDRESS"] = UNLIMITED
    operations = [
        result.ok() for result in api_schema(app, fuzzed_wards).get_all_operations()
    ]
    examples = max(
        FEWEST[caller], REQUESTS[caller] // (len(operations) * len(GenerationMode))
    )
    failures = []
    for operation in operations:
        for mode in GenerationMode:
            failure = failures_of(operation, mode, caller, headers, examples)
            if failure is not None:
                failures.append(failure)
    assert len(operations) >= 12
    assert failures == [], "\n\n".join(failures)
