"""`roles_required` / `has_roles` (SECURITY.md 10): 401 JSON or a login redirect for nobody, 403 for
the wrong role, the view for the right one; API paths take bearer tokens only (SECURITY.md 14
covers where the login redirect may send the user back to)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import jsonify

from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.permissions import has_roles, roles_required
from tests.api.helpers import API, assert_error, auth_header
from tests.conftest import AuthActions, bearer
from tests.factories import make_user

API_ROUTE = f"{API}/_test/admin-only"
PAGE_ROUTE = "/_test/admin-page"


@pytest.fixture
def guarded(app):  # type: ignore[no-untyped-def]
    """The fixture app with one admin-only API route and one admin-only page, added before any request."""

    @roles_required("admin")
    def admin_only_api():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    @roles_required("admin")
    def admin_only_page():  # type: ignore[no-untyped-def]
        return "<p>admin page</p>"

    app.add_url_rule(API_ROUTE, view_func=admin_only_api)
    app.add_url_rule(PAGE_ROUTE, view_func=admin_only_page)
    return app


@pytest.fixture
def people(guarded):  # type: ignore[no-untyped-def]
    return {
        "user": make_user(guarded),
        "creator": make_user(guarded, roles=["creator"]),
        "admin": make_user(guarded, roles=["admin"]),
    }


def test_has_roles(app, people):
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        creator = db.session.get(User, people["creator"].id)
        assert has_roles(admin, ["admin"]) and has_roles(admin, ["user", "admin"])
        assert has_roles(admin, [])
        assert not has_roles(admin, ["admin", "creator"])
        assert has_roles(creator, ["creator"]) and not has_roles(creator, ["admin"])
        assert not has_roles(None, [])
        admin.suspended_at = utcnow()
        assert not has_roles(admin, ["admin"])
        db.session.rollback()


def test_api_route_without_token_is_401_json(guarded, people):
    client = guarded.test_client()
    assert_error(client.get(API_ROUTE), 401, code="unauthorized")
    assert_error(client.get(API_ROUTE, headers=auth_header("garbage")), 401, code="unauthorized")


@pytest.mark.parametrize("who", ["user", "creator"])
def test_api_route_with_a_non_admin_token_is_403_json(guarded, people, who):
    client = guarded.test_client()
    assert_error(client.get(API_ROUTE, headers=bearer(client, people[who].email)), 403, code="forbidden")


def test_api_route_with_an_admin_token_runs_the_view(guarded, people):
    client = guarded.test_client()
    response = client.get(API_ROUTE, headers=bearer(client, people["admin"].email))
    assert response.status_code == 200
    assert response.json == {"ok": True}


def test_api_route_refuses_a_revoked_admin_token(guarded, people):
    client = guarded.test_client()
    headers = bearer(client, people["admin"].email)
    assert client.post(f"{API}/auth/revoke", headers=headers).status_code == 204
    assert_error(client.get(API_ROUTE, headers=headers), 401)


def test_api_route_refuses_a_suspended_admin(guarded, people):
    client = guarded.test_client()
    headers = bearer(client, people["admin"].email)
    with guarded.app_context():
        db.session.get(User, people["admin"].id).suspended_at = utcnow()
        db.session.commit()
    assert_error(client.get(API_ROUTE, headers=headers), 401)


def test_api_route_ignores_an_admin_login_cookie(guarded, people):
    client = guarded.test_client()
    assert AuthActions(client).login(people["admin"].email).status_code == 302
    assert client.get(PAGE_ROUTE).status_code == 200
    assert_error(client.get(API_ROUTE), 401, code="unauthorized")


def test_page_route_redirects_anonymous_users_to_login_with_next(guarded, people):
    client = guarded.test_client()
    response = client.get(PAGE_ROUTE)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [PAGE_ROUTE]


def test_page_route_gives_non_admins_403_html(guarded, people):
    client = guarded.test_client()
    assert AuthActions(client).login(people["user"].email).status_code == 302
    response = client.get(PAGE_ROUTE)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert b"admin page" not in response.data


def test_page_route_does_not_take_bearer_tokens(guarded, people):
    client = guarded.test_client()
    response = client.get(PAGE_ROUTE, headers=bearer(client, people["admin"].email))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_login_returns_an_admin_to_the_page_they_asked_for(guarded, people):
    client = guarded.test_client()
    next_path = parse_qs(urlsplit(client.get(PAGE_ROUTE).headers["Location"]).query)["next"][0]
    response = AuthActions(client).login(people["admin"].email, next=next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == PAGE_ROUTE
    assert client.get(PAGE_ROUTE).data == b"<p>admin page</p>"


def test_login_never_redirects_off_site(guarded, people):
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]:
        client = guarded.test_client()
        response = AuthActions(client).login(people["admin"].email, next=target)
        assert response.status_code == 302, target
        location = urlsplit(response.headers["Location"])
        assert not location.netloc and not location.scheme, (target, response.headers["Location"])
        assert location.path.startswith("/") and not location.path.startswith("//"), target
