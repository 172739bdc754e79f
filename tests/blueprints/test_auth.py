"""Registration, login, logout and password change in the browser (SECURITY.md 11, 12, 14)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import AuditLog, CreditTransaction, User
from app.services.passwords import verify_password
from tests.conftest import AuthActions, bearer, form_token
from tests.factories import DEFAULT_PASSWORD, make_user


def _balance_on_page(html: bytes) -> str:
    match = re.search(rb'data-testid="credit-balance">(\d+)<', html)
    assert match, "no credit balance on the page"
    return match.group(1).decode()


def test_register_logs_in_with_one_free_credit(client, auth, db):
    response = auth.register("New.Person@Example.com")
    assert response.status_code == 302 and response.location == "/account/"
    page = client.get("/account/")
    assert page.status_code == 200
    assert _balance_on_page(page.data) == "1"
    assert b"Welcome credit" in page.data
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.com"))
    assert user.roles == ["user"]
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("not-an-email", DEFAULT_PASSWORD, None, b"not valid"),
        ("short@example.com", "short", None, b"Use 10 to 256 characters."),
        ("mismatch@example.com", DEFAULT_PASSWORD, "something else entirely", b"The two passwords differ."),
        ("", DEFAULT_PASSWORD, None, b"Enter your email address."),
    ],
)
def test_register_rejects_bad_input_and_writes_nothing(client, auth, db, email, password, confirm, message):
    response = auth.register(email, password, confirm)
    assert response.status_code == 400
    assert message in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_with_a_taken_email_says_so(app, auth, db):
    make_user(app, email="taken@example.com")
    response = auth.register("TAKEN@example.com")
    assert response.status_code == 400
    assert b"An account with that email already exists." in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_login_and_logout(app, client, auth):
    person = make_user(app)
    assert client.get("/account/").status_code == 302
    response = auth.login(person.email)
    assert response.status_code == 302 and response.location == "/account/"
    assert client.get("/account/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(app, client, auth):
    person = make_user(app)
    response = auth.login(person.email, "wrong password here")
    assert response.status_code == 401
    assert b"That email and password do not match." in response.data
    assert client.get("/account/").status_code == 302


def test_login_rotates_the_session(app, client, auth):
    person = make_user(app)
    client.get("/login")
    before = client.get_cookie("waqup_session").value
    auth.login(person.email)
    after = client.get_cookie("waqup_session").value
    assert before != after


def test_logout_revokes_the_session_server_side(app, client, auth):
    """A copy of the session cookie taken before logout no longer works after it."""
    person = make_user(app)
    auth.login(person.email)
    stolen = client.get_cookie("waqup_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("waqup_session", stolen)
    response = thief.get("/account/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_change_password_signs_out_other_sessions_and_tokens(app, client, auth, db):
    person = make_user(app)
    other_device = app.test_client()
    AuthActions(other_device).login(person.email)
    headers = bearer(app.test_client(), person.email)
    auth.login(person.email)

    page = client.get("/account/password")
    new_password = "a brand new passphrase"
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": new_password,
            "confirm": new_password,
            "csrf_token": form_token(page.data),
        },
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this device stays signed in
    assert other_device.get("/account/").status_code == 302  # the other one is signed out
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert AuthActions(app.test_client()).login(person.email, new_password).status_code == 302
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.target_id == str(person.id))).all()
    assert "account.password_changed" in actions


def test_change_password_needs_the_current_one(app, client, auth):
    person = make_user(app)
    auth.login(person.email)
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "another long password",
            "confirm": "another long password",
            "csrf_token": form_token(page.data),
        },
    )
    assert response.status_code == 400
    assert b"Your current password is not right." in response.data
    assert AuthActions(app.test_client()).login(person.email).status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/?page=2", "/account/?page=2"),
        ("https://evil.example/", "/account/"),
        ("//evil.example/", "/account/"),
        ("/\\evil.example", "/account/"),
        ("javascript:alert(1)", "/account/"),
        ("", "/account/"),
    ],
)
def test_next_redirects_only_to_same_site_paths(app, auth, target, expected):
    """SECURITY.md 14."""
    person = make_user(app)
    response = auth.login(person.email, next=target)
    assert response.status_code == 302
    assert response.location == expected


def test_login_is_rate_limited(make_app):
    """SECURITY.md 12: too many login attempts get 429 with Retry-After."""
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    auth = AuthActions(client)
    statuses = [auth.login("someone@example.com", "wrong password!").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = auth.login("someone@example.com", "wrong password!")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert b"Too many attempts" in limited.data


def test_registration_is_rate_limited(make_app):
    app = make_app(RATELIMIT_REGISTER="2 per minute")
    statuses = [AuthActions(app.test_client()).register(f"flood{i}@example.com").status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    with app.app_context():
        assert db_ext.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        assert db_ext.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction)) == 2
