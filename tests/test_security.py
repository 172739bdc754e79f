"""Browser-facing security properties: CSRF, headers, cookies, vendored scripts, inert user text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.extensions import db as db_ext
from app.models import User
from app.services import credits
from config import ProductionConfig
from tests.conftest import AuthActions, form_token
from tests.factories import DEFAULT_PASSWORD, make_user

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


def test_forms_refuse_posts_without_a_csrf_token(app, client, db):
    """SECURITY.md 15."""
    response = client.post(
        "/register", data={"email": "x@example.com", "password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert b"Please reload the page" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_logout_needs_a_csrf_token(app, client, auth):
    person = make_user(app)
    auth.login(person.email)
    assert client.post("/logout").status_code == 400
    assert client.get("/account/").status_code == 200


def test_htmx_requests_send_the_token_in_a_header(app, client, auth):
    """The body tag carries hx-headers with the token; a header-only POST is accepted."""
    person = make_user(app)
    auth.login(person.email)
    page = client.get("/account/")
    match = re.search(rb"<body hx-headers='([^']+)'", page.data)
    assert match, "body has no hx-headers"
    token = json.loads(match.group(1))["X-CSRFToken"]
    assert token == form_token(page.data)
    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def test_every_page_sends_a_strict_content_security_policy(client):
    """SECURITY.md 17."""
    for path in ["/", "/login", "/register", "/no-such-page", "/api/v1/openapi.json"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert script_src == "script-src 'self'", path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_forms_may_lead_to_stripe_checkout_only_with_real_payments(app, make_app):
    """Browsers apply form-action to the redirect after a post: buying must reach Stripe, nothing else may."""
    def form_action(some_app) -> str:  # type: ignore[no-untyped-def]
        csp = some_app.test_client().get("/").headers["Content-Security-Policy"]
        return next(d for d in csp.split("; ") if d.startswith("form-action"))

    assert form_action(app) == "form-action 'self'"  # the simulated checkout is our own page
    stripe = make_app(PAYMENTS_SIMULATED=False, STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")
    assert form_action(stripe) == "form-action 'self' https://checkout.stripe.com"


def _media_src(app) -> str:  # type: ignore[no-untyped-def]
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    return next(d for d in csp.split("; ") if d.startswith("media-src"))


def test_audio_may_come_from_where_signed_urls_point_and_nowhere_else(app, make_app):
    """Players load signed audio from S3 or a CDN when one is configured; the policy names only that."""
    assert _media_src(app) == "media-src 'self' blob:"
    s3 = make_app(
        STORAGE_BACKEND="s3", S3_BUCKET="audio", S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_ACCESS_KEY_ID="key", S3_SECRET_ACCESS_KEY="secret",
    )
    assert _media_src(s3) == "media-src 'self' blob: http://127.0.0.1:9000"
    cdn = make_app(CDN_BASE_URL="https://cdn.example.com/")
    assert _media_src(cdn) == "media-src 'self' blob: https://cdn.example.com"


def test_pages_load_htmx_from_our_own_static_folder_with_safe_config(client):
    html = client.get("/").data.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/htmx-2.0.11.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script found"
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert (STATIC / "vendor" / "htmx-2.0.11.min.js").stat().st_size > 40_000
    assert (STATIC / "vendor" / "htmx-ext-ws-2.0.4.js").exists()
    static = client.get("/static/vendor/htmx-2.0.11.min.js")
    static.close()
    assert static.status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(app, client, auth):
    """SECURITY.md 16 (local development: not Secure, plain name)."""
    person = make_user(app)
    response = auth.login(person.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("waqup_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _dispose(app) -> None:
    with app.app_context():
        db_ext.session.remove()
        db_ext.engine.dispose()


def test_production_session_cookie_is_host_prefixed_and_secure(database_url, redis_url, tmp_path, _schema, request):
    class Prod(ProductionConfig):
        SECRET_KEY = "p" * 48
        STRIPE_SECRET_KEY = "sk_test_unused"
        STRIPE_WEBHOOK_SECRET = "whsec_unused"
        PAYMENTS_SIMULATED = False
        PUBLIC_BASE_URL = "https://waqup.example"
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = redis_url
        INSTANCE_PATH = str(tmp_path / "inst")
        RATELIMIT_ENABLED = False

    app = create_app(Prod)
    request.addfinalizer(lambda: _dispose(app))
    person = make_user(app)
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"email": person.email, "password": person.password, "csrf_token": form_token(page.data)},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_user_text_in_the_ledger_renders_inert(app, client, auth):
    """SECURITY.md 18: text stored by users or providers is data, never markup."""
    person = make_user(app)
    with app.app_context():
        credits.refund(
            person.id, 1, idempotency_key="xss-refund", reason='<script>alert(1)</script><div hx-get="/admin">'
        )
    auth.login(person.email)
    html = client.get("/account/").data.decode()
    assert "<script>alert(1)</script>" not in html
    assert '<div hx-get="/admin">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_error_pages_do_not_leak_internals(client):
    response = client.get("/definitely-missing")
    assert response.status_code == 404
    assert b"We could not find that page." in response.data
    assert b"Traceback" not in response.data


def test_suspended_user_cannot_log_in(app, db):
    person = make_user(app)
    db.session.execute(sa.update(User).where(User.id == person.id).values(suspended_at=sa.func.now()))
    db.session.commit()
    response = AuthActions(app.test_client()).login(person.email)
    assert response.status_code == 401
    assert b"This account is suspended." in response.data


def test_tokens_verify_on_another_app_instance_with_the_same_secret(make_app):
    """Tokens from one app instance work on another with the same secret (stateless verification)."""
    first, second = make_app(), make_app()
    person = make_user(first)
    token = first.test_client().post("/api/v1/auth/token", json={"email": person.email, "password": person.password})
    headers = {"Authorization": f"Bearer {token.json['access_token']}"}
    assert second.test_client().get("/api/v1/me", headers=headers).json["email"] == person.email
