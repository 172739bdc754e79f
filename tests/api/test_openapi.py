"""GET /api/v1/openapi.json is an OpenAPI 3.1 document that matches the routes and their behaviour."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from tests.api.helpers import API, assert_error
from tests.conftest import bearer

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def doc(client):  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def _operations(doc):  # type: ignore[no-untyped-def]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _resolve(doc, ref):  # type: ignore[no-untyped-def]
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_document_is_openapi_3_1(doc):
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert set(doc) <= {
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    }
    assert isinstance(doc["info"]["title"], str) and doc["info"]["title"]
    assert isinstance(doc["info"]["version"], str) and doc["info"]["version"]
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def test_every_reference_resolves(doc):
    refs = list(_refs(doc))
    assert "#/components/schemas/Error" in refs
    for ref in refs:
        assert isinstance(_resolve(doc, ref), dict), ref


def test_operations_are_well_formed(doc):
    schemes = set(doc["components"]["securitySchemes"])
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        assert path.startswith("/") and not path.startswith("/api/"), where
        assert isinstance(op["summary"], str) and op["summary"], where
        assert op["responses"], where
        for status, response in op["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d|[1-5]XX|default", status), where
            assert isinstance(response["description"], str) and response["description"], where
            for media in response.get("content", {}).values():
                Draft202012Validator.check_schema(media["schema"])
        assert any(s.startswith("2") for s in op["responses"]), where
        for requirement in op.get("security", []):
            assert set(requirement) <= schemes, where
        template_names = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert template_names == declared, where
        for param in op.get("parameters", []):
            assert param["in"] in {"path", "query", "header", "cookie"}, where
            if param["in"] == "path":
                assert param["required"] is True, where
            Draft202012Validator.check_schema(param["schema"])
        names = [(p["name"], p["in"]) for p in op.get("parameters", [])]
        assert len(names) == len(set(names)), where
        if "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            Draft202012Validator.check_schema(schema)
            for status in ("400", "415", "422"):
                assert status in op["responses"], f"{where} takes a body but does not document {status}"


def test_every_api_route_is_documented(app, doc):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API) :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
            assert path in doc["paths"], f"{rule.rule} is not in the OpenAPI paths"
            assert method.lower() in doc["paths"][path], f"{method} {rule.rule} is not documented"
    assert routes, "no API routes found"
    documented = {(path, method) for path, method, _ in _operations(doc)}
    assert documented == routes, f"documented but not routed: {documented - routes}"


def test_path_converters_become_templates():
    from app.blueprints.api.spec import _openapi_path, _path_parameters

    assert _openapi_path("/items/<uuid:id>") == "/items/{id}"
    assert _openapi_path("/a/<int:n>/b/<name>") == "/a/{n}/b/{name}"
    assert _path_parameters("/items/<uuid:id>") == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    ]


def _call(client, path, method, headers=None):  # type: ignore[no-untyped-def]
    url = API + re.sub(r"{[^}]+}", "00000000-0000-4000-8000-000000000000", path)
    return client.open(url, method=method.upper(), json={}, headers=headers or {})


def test_security_declarations_match_behaviour(client, doc):
    """An operation refusing a token-less call declares bearerAuth and 401; one declaring them refuses it."""
    protected = []
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        response = _call(client, path, method)
        declares_bearer = {"bearerAuth": []} in op.get("security", [])
        if response.status_code == 401:
            assert declares_bearer, f"{where} needs a token but does not declare bearerAuth"
            assert "401" in op["responses"], f"{where} needs a token but does not document 401"
            assert_error(response, 401)
            protected.append(where)
        else:
            assert not declares_bearer, f"{where} declares bearerAuth but answered {response.status_code} without one"
            assert op.get("security") == [], f"{where} should declare that it needs no security"
    assert {"GET /me", "PATCH /me/preferences", "GET /me/credits", "POST /auth/revoke"} <= set(protected)


def test_success_responses_match_their_schemas(client, user, doc):
    headers = bearer(client, user.email)
    calls = [
        ("/me", "get", None),
        ("/me/credits", "get", None),
        ("/me/preferences", "patch", {"pace": "slow"}),
        ("/auth/token", "post", {"email": user.email, "password": user.password}),
        ("/auth/register", "post", {"email": "schema-check@example.com", "password": user.password}),
    ]
    for path, method, body in calls:
        op = doc["paths"][path][method]
        response = client.open(API + path, method=method.upper(), json=body, headers=headers)
        status = str(response.status_code)
        assert status in op["responses"], f"{method.upper()} {path} answered an undocumented {status}"
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        Draft202012Validator(schema).validate(response.json)
        assert set(response.json) == set(schema["properties"]), path


def test_error_responses_match_the_error_schema(client, doc):
    error_schema = doc["components"]["schemas"]["Error"]
    response = client.post(API + "/auth/register", json={})
    assert_error(response, 422)
    Draft202012Validator(error_schema).validate(response.json)
