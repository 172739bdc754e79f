"""POST /api/v1/auth/token and /auth/revoke: issuing, using and revoking bearer tokens."""

from __future__ import annotations

import jwt

from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.services import accounts
from tests.api.helpers import API, assert_error, auth_header
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD, make_user

URL = f"{API}/auth/token"


def test_token_has_the_documented_shape_and_claims(app, client, user):
    response = client.post(URL, json={"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["JWT_EXPIRES_SECONDS"]
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    claims = jwt.decode(
        body["access_token"],
        app.config["SECRET_KEY"],
        algorithms=["HS256"],
        audience=app.config["JWT_AUDIENCE"],
        issuer=app.config["JWT_ISSUER"],
    )
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["jti"]


def test_token_works_on_me(client, user):
    response = client.get(f"{API}/me", headers=bearer(client, user.email))
    assert response.status_code == 200
    assert response.json["id"] == str(user.id)
    assert response.json["email"] == user.email


def test_email_is_matched_in_any_case(client, user):
    response = client.post(URL, json={"email": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.json


def test_each_token_is_distinct(client, user):
    first = bearer(client, user.email)
    second = bearer(client, user.email)
    assert first != second


def test_bad_credentials_are_401_and_do_not_say_which_part_was_wrong(client, user):
    wrong = [
        {"password": "not the right password"},
        {"password": DEFAULT_PASSWORD.upper()},
        {"email": "nobody-here@example.com"},
        {"email": "not-an-email"},
    ]
    for credentials in wrong:
        response = client.post(URL, json={"email": user.email, "password": DEFAULT_PASSWORD, **credentials})
        assert response.status_code == 401, credentials
        error = assert_error(response, 401, code="invalid_credentials")
        assert error["message"] == "That email and password do not match."


def test_suspended_account_gets_no_token_and_its_tokens_stop_working(app, client, user):
    headers = bearer(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).suspended_at = utcnow()
        db.session.commit()

    assert_error(client.post(URL, json={"email": user.email, "password": DEFAULT_PASSWORD}), 403, code="suspended")
    assert_error(client.get(f"{API}/me", headers=headers), 401, code="unauthorized")


def test_revoke_stops_that_token_only(client, user):
    revoked = bearer(client, user.email)
    other = bearer(client, user.email)

    response = client.post(f"{API}/auth/revoke", headers=revoked)
    assert response.status_code == 204
    assert response.data == b""

    error = assert_error(client.get(f"{API}/me", headers=revoked), 401, code="unauthorized")
    assert "revoked" in error["message"]
    assert_error(client.post(f"{API}/auth/revoke", headers=revoked), 401)
    assert client.get(f"{API}/me", headers=other).status_code == 200


def test_revoke_needs_a_token(client):
    assert_error(client.post(f"{API}/auth/revoke"), 401, code="unauthorized")


def test_password_change_revokes_every_token(app, client, user):
    first = bearer(client, user.email)
    second = bearer(client, user.email)
    new_password = "a brand new passphrase 42"
    with app.app_context():
        accounts.change_password(db.session.get(User, user.id), DEFAULT_PASSWORD, new_password)

    for headers in (first, second):
        error = assert_error(client.get(f"{API}/me", headers=headers), 401, code="unauthorized")
        assert "revoked" in error["message"]
    assert_error(client.post(URL, json={"email": user.email, "password": DEFAULT_PASSWORD}), 401)
    fresh = bearer(client, user.email, new_password)
    assert client.get(f"{API}/me", headers=fresh).status_code == 200


def test_token_of_deleted_user_is_refused(app, client):
    person = make_user(app)
    headers = bearer(client, person.email)
    with app.app_context():
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
    assert_error(client.get(f"{API}/me", headers=headers), 401, code="unauthorized")


def test_token_header_is_case_insensitive_on_the_scheme(client, user):
    token = bearer(client, user.email)["Authorization"].split(" ", 1)[1]
    assert client.get(f"{API}/me", headers={"Authorization": f"bearer {token}"}).status_code == 200
    assert client.get(f"{API}/me", headers=auth_header(token)).status_code == 200
