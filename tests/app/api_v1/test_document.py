"""The OpenAPI document: valid 3.1, listing every route, and its offline page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator

from app.api.v1.openapi import UNDOCUMENTED, VARIABLE
from app.api.v1.problems import KINDS

#: A link or source out of the page's own site.
EXTERNAL = re.compile(r"""(?:https?:)?//(?!localhost[/"'])[^\s"'<>]+""")


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(document).validate()


def test_a_nullable_field_is_a_null_type_not_3_0s_keyword(client: FlaskClient) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert '"nullable"' not in answer.get_data(as_text=True)
    document = answer.get_json()
    ends_on = document["components"]["schemas"]["CampaignOut"]["properties"]["ends_on"]
    assert {"type": "null"} in ends_on["anyOf"]


def test_every_api_v1_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = []
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in UNDOCUMENTED:
            continue
        walked += 1
        path = VARIABLE.sub(r"{\g<name>}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert walked >= 12
    assert missing == []


def test_only_the_document_and_its_page_are_open_without_a_key(
    client: FlaskClient,
) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    public = sorted(
        path
        for path, item in paths.items()
        for operation in item.values()
        if operation["security"] == []
    )
    assert public == ["/api/v1/docs", "/api/v1/openapi.json"]


def test_the_docs_page_lists_every_operation_and_links_nothing_outside(
    client: FlaskClient,
) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    for item in document["paths"].values():
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in page
    for slug in KINDS:
        assert f'id="problem-{slug}"' in page
    assert EXTERNAL.findall(page) == []


def test_the_docs_page_speaks_english_too(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "Operations" in page and "Các thao tác" not in page
