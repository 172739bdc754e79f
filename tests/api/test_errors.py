"""Every API failure is a JSON `{"error": {code, message, details?}}` body with the right status,
never an HTML page (SECURITY.md 12 for the rate limits, 23 for the error shape)."""

from __future__ import annotations

import pytest

from tests.api.helpers import API, assert_error, row_counts
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD, make_user


def test_401_without_a_token(client):
    response = client.get(f"{API}/me")
    error = assert_error(response, 401, code="unauthorized")
    assert "Bearer" in error["message"]


def test_404_for_unknown_api_paths(client):
    paths = [f"{API}{p}" for p in ["/nope", "/me/nope", "/auth", "/v2/me", "/me/credits/extra"]] + ["/api/elsewhere"]
    for path in paths:
        for method in ["GET", "POST", "PATCH", "DELETE"]:
            response = client.open(path, method=method)
            assert response.status_code == 404, (method, path)
            assert_error(response, 404, code="not_found")

    # The contrast: pages outside /api/ keep their HTML error page.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


WRONG_METHODS = [
    ("GET", "/auth/token", {"POST"}),
    ("PUT", "/auth/register", {"POST"}),
    ("DELETE", "/me", {"GET"}),
    ("POST", "/me", {"GET"}),
    ("PUT", "/me/preferences", {"PATCH"}),
    ("POST", "/me/credits", {"GET"}),
    ("GET", "/auth/revoke", {"POST"}),
    ("DELETE", "/openapi.json", {"GET"}),
]


def test_405_for_wrong_method_lists_the_allowed_ones(client, user):
    headers = bearer(client, user.email)
    for method, path, allowed in WRONG_METHODS:
        response = client.open(f"{API}{path}", method=method, headers=headers, json={})
        assert response.status_code == 405, (method, path)
        assert_error(response, 405, code="method_not_allowed")
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, (method, path)


def test_409_on_duplicate_registration(app, client, user):
    before = row_counts(app)
    response = client.post(f"{API}/auth/register", json={"email": user.email, "password": DEFAULT_PASSWORD})
    error = assert_error(response, 409, code="conflict", field="email")
    assert error["details"] == [{"field": "email", "message": error["message"]}]
    assert row_counts(app) == before


@pytest.mark.parametrize(
    ("path", "method"),
    [("/auth/register", "POST"), ("/auth/token", "POST"), ("/me/preferences", "PATCH")],
)
def test_415_when_the_body_is_not_sent_as_json(client, user, path, method):
    headers = {**bearer(client, user.email), "Content-Type": "text/plain"}
    response = client.open(f"{API}{path}", method=method, data='{"pace": "slow"}', headers=headers)
    error = assert_error(response, 415, code="unsupported_media_type")
    assert "application/json" in error["message"]


def test_422_details_name_each_field(client):
    response = client.post(f"{API}/auth/register", json={"email": ["x"], "password": 3})
    error = assert_error(response, 422, code="invalid")
    assert [(d["field"], d["message"]) for d in error["details"]] == [
        ("email", "Must be of type string."),
        ("password", "Must be of type string."),
    ]


def test_400_when_the_json_does_not_parse(client):
    response = client.post(f"{API}/auth/token", data="{'single': 'quotes'}", content_type="application/json")
    assert_error(response, 400, code="bad_request")


# --- 429 ---------------------------------------------------------------------------------------


def _assert_rate_limited(response) -> None:  # type: ignore[no-untyped-def]
    assert_error(response, 429, code="rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_token_endpoint_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_LOGIN="2 per minute")
    person = make_user(limited)
    client = limited.test_client()
    creds = {"email": person.email, "password": "wrong password here"}

    assert_error(client.post(f"{API}/auth/token", json=creds), 401)
    assert_error(client.post(f"{API}/auth/token", json=creds), 401)
    _assert_rate_limited(client.post(f"{API}/auth/token", json=creds))
    # Even the right password waits for the window to pass.
    _assert_rate_limited(client.post(f"{API}/auth/token", json={**creds, "password": DEFAULT_PASSWORD}))


def test_register_endpoint_is_rate_limited_and_writes_nothing_when_limited(make_app):
    limited = make_app(RATELIMIT_REGISTER="2 per minute")
    client = limited.test_client()
    for n in (1, 2):
        response = client.post(
            f"{API}/auth/register", json={"email": f"r{n}@example.com", "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 201, response.json
    before = row_counts(limited)
    _assert_rate_limited(
        client.post(f"{API}/auth/register", json={"email": "r3@example.com", "password": DEFAULT_PASSWORD})
    )
    assert row_counts(limited) == before


def test_rate_limit_counts_per_client_address(make_app):
    limited = make_app(RATELIMIT_LOGIN="1 per minute")
    person = make_user(limited)
    client = limited.test_client()
    creds = {"email": person.email, "password": DEFAULT_PASSWORD}
    here = {"REMOTE_ADDR": "10.0.0.1"}
    there = {"REMOTE_ADDR": "10.0.0.2"}

    assert client.post(f"{API}/auth/token", json=creds, environ_base=here).status_code == 200
    _assert_rate_limited(client.post(f"{API}/auth/token", json=creds, environ_base=here))
    assert client.post(f"{API}/auth/token", json=creds, environ_base=there).status_code == 200


BODY_ENDPOINTS = [("/auth/register", "POST"), ("/auth/token", "POST"), ("/me/preferences", "PATCH")]
UNUSABLE_JSON = {
    # Valid JSON syntax, but a lone UTF-16 surrogate is not text any field can store or hash.
    "surrogate-in-value": b'{"email": "someone@example.com", "password": "correct horse \\ud800 staple"}',
    "surrogate-in-key": b'{"\\udfff": "slow"}',
    "surrogate-in-enum-field": b'{"pace": "\\ud83d"}',
    # Deeper than the JSON parser can recurse.
    "deep-nesting": b'{"pace": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
}


@pytest.mark.parametrize(("path", "method"), BODY_ENDPOINTS)
def test_unusable_json_is_400_not_500(app, client, user, path, method):
    headers = bearer(client, user.email)
    before = row_counts(app)
    for name, raw in UNUSABLE_JSON.items():
        response = client.open(
            f"{API}{path}", method=method, data=raw, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, (name, response.get_data(as_text=True)[:200])
        assert_error(response, 400, code="bad_request")
    assert row_counts(app) == before
