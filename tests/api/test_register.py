"""POST /api/v1/auth/register: the account, its free credit, and every way a body can be wrong
(SECURITY.md 23: a clear 4xx naming the field, never a 500, nothing half-written)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import CreditTransaction, User
from app.services import credits
from tests.api.helpers import API, assert_error, row_counts
from tests.factories import DEFAULT_PASSWORD, make_user

URL = f"{API}/auth/register"


def test_register_creates_account_with_one_free_credit(app, client):
    before = row_counts(app)
    response = client.post(URL, json={"email": "  New.Person@Example.COM ", "password": DEFAULT_PASSWORD})

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"id", "email", "roles", "credit_balance", "preferences", "created_at"}
    assert body["email"] == "new.person@example.com"
    assert body["roles"] == ["user"]
    assert body["credit_balance"] == 1
    assert body["preferences"] == {}
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    user_id = uuid.UUID(body["id"])
    assert "password" not in response.get_data(as_text=True)
    assert row_counts(app) == (before[0] + 1, before[1] + 1)

    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.credit_balance == 1
        assert user.password_hash.startswith("$argon2id$")
        rows = db.session.scalars(sa.select(CreditTransaction).where(CreditTransaction.user_id == user_id)).all()
        assert [(r.amount, r.balance_after, r.transaction_type) for r in rows] == [(1, 1, "purchase")]
        assert credits.ledger_problems(user_id) == []


def test_new_account_can_get_a_token_and_see_itself(client):
    client.post(URL, json={"email": "fresh@example.com", "password": DEFAULT_PASSWORD})
    token = client.post(f"{API}/auth/token", json={"email": "fresh@example.com", "password": DEFAULT_PASSWORD})
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token.json['access_token']}"})
    assert me.status_code == 200
    assert me.json["email"] == "fresh@example.com" and me.json["credit_balance"] == 1


def test_duplicate_email_in_any_case_is_409(app, client):
    make_user(app, email="Taken@example.com")
    before = row_counts(app)
    for second in ["taken@example.com", "TAKEN@EXAMPLE.COM", "Taken@Example.com", " taken@example.com "]:
        response = client.post(URL, json={"email": second, "password": DEFAULT_PASSWORD})
        assert response.status_code == 409, second
        error = assert_error(response, 409, code="conflict", field="email")
        assert "already exists" in error["message"]
    assert row_counts(app) == before


GOOD_EMAIL = "someone@example.com"

# (id, JSON body, status, field named in details, words the message must contain)
BAD_BODIES = [
    ("bad-email", {"email": "not-an-email", "password": DEFAULT_PASSWORD}, 422, "email", "email address"),
    ("email-without-domain", {"email": "someone@", "password": DEFAULT_PASSWORD}, 422, "email", "not valid"),
    ("email-too-long", {"email": "a" * 250 + "@example.com", "password": DEFAULT_PASSWORD}, 422, "email", "at most"),
    ("blank-email", {"email": "   ", "password": DEFAULT_PASSWORD}, 422, "email", "email"),
    ("short-password", {"email": GOOD_EMAIL, "password": "short"}, 422, "password", "at least 10"),
    ("guessable-password", {"email": GOOD_EMAIL, "password": "aaaaaaaaaaaa"}, 422, "password", "harder to guess"),
    ("empty-password", {"email": GOOD_EMAIL, "password": ""}, 422, "password", "at least 1"),
    ("password-too-long", {"email": GOOD_EMAIL, "password": "ab1!" * 65}, 422, "password", "at most 256"),
    ("missing-email", {"password": DEFAULT_PASSWORD}, 422, "email", "required"),
    ("missing-password", {"email": GOOD_EMAIL}, 422, "password", "required"),
    ("empty-object", {}, 422, "password", "required"),
    ("unknown-field", {"email": GOOD_EMAIL, "password": DEFAULT_PASSWORD, "nickname": "x"}, 422, "nickname", "Unknown"),
    ("roles-not-settable", {"email": GOOD_EMAIL, "password": DEFAULT_PASSWORD, "roles": ["admin"]}, 422, "roles", ""),
    ("email-number", {"email": 5, "password": DEFAULT_PASSWORD}, 422, "email", "type string"),
    ("email-null", {"email": None, "password": DEFAULT_PASSWORD}, 422, "email", "type string"),
    ("password-list", {"email": GOOD_EMAIL, "password": ["x"]}, 422, "password", "type string"),
    ("password-object", {"email": GOOD_EMAIL, "password": {"a": 1}}, 422, "password", "type string"),
    ("body-array", [GOOD_EMAIL, DEFAULT_PASSWORD], 422, "", "type object"),
    ("body-string", "hello", 422, "", "type object"),
    ("body-number", 42, 422, "", "type object"),
]


def test_invalid_json_bodies_are_rejected_naming_the_field(app, client):
    before = row_counts(app)
    for case, body, status, field, words in BAD_BODIES:
        response = client.post(URL, json=body)
        assert response.status_code == status, (case, response.json)
        error = assert_error(response, status, code="invalid")
        assert field in fields_of(error), (case, error)
        assert words in error["message"], (case, error)
    assert row_counts(app) == before


# (id, raw body, content type, status, words in the message)
BAD_RAW = [
    ("syntax-error", b'{"email": "a@example.com", ', "application/json", 400, "not valid JSON"),
    ("empty-body", b"", "application/json", 400, "not valid JSON"),
    ("json-null", b"null", "application/json", 400, "not valid JSON"),
    ("invalid-utf8", b'{"email": "\xff\xfe@example.com"}', "application/json", 400, "not valid JSON"),
    (
        "lone-surrogate",
        b'{"email": "a@example.com", "password": "\\ud800 horse battery"}',
        "application/json",
        400,
        "JSON",
    ),
    ("deep-nesting", b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "not valid JSON"),
    ("text-plain", json.dumps({"email": GOOD_EMAIL, "password": DEFAULT_PASSWORD}).encode(), "text/plain", 415, "JSON"),
    ("form-encoded", b"email=someone%40example.com&password=x", "application/x-www-form-urlencoded", 415, "JSON"),
    ("no-content-type", json.dumps({"email": GOOD_EMAIL, "password": DEFAULT_PASSWORD}).encode(), None, 415, "JSON"),
]


def test_bodies_that_are_not_json_are_rejected(app, client):
    before = row_counts(app)
    for case, data, content_type, status, words in BAD_RAW:
        response = client.post(URL, data=data, content_type=content_type)
        assert response.status_code == status, (case, response.get_data(as_text=True)[:200])
        code = {400: "bad_request", 415: "unsupported_media_type"}[status]
        error = assert_error(response, status, code=code)
        assert words in error["message"], (case, error)
    assert row_counts(app) == before


def test_json_with_charset_parameter_is_accepted(client):
    response = client.post(
        URL,
        data=json.dumps({"email": GOOD_EMAIL, "password": DEFAULT_PASSWORD}),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201, response.json


def test_every_problem_is_reported_at_once(client):
    response = client.post(URL, json={"email": 7, "password": "", "extra": True})
    error = assert_error(response, 422, code="invalid")
    assert sorted(fields_of(error)) == ["email", "extra", "password"]
    assert "email:" in error["message"] and "password:" in error["message"] and "extra:" in error["message"]


def fields_of(error: dict) -> list[str]:
    return [d["field"] for d in error["details"]]
