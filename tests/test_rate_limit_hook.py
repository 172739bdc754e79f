"""Flask-Limiter's check runs only for endpoints that a limit applies to, exactly as before for those."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.extensions import limiter as app_limiter
from app.rate_limits import check_only_where_limits_apply, limits_apply

# Every view of the app that carries @limiter.limit (SECURITY.md 12), and no other.
LIMITED = {
    "api.create_ritual",
    "api.regenerate_ritual",
    "api.register",
    "api.send_message",
    "api.start_conversation",
    "api.token",
    "auth.login",
    "auth.register",
    "builder.send",
    "library.regenerate",
    "studio.generate",
}


def test_limits_apply_to_exactly_the_views_that_declare_them(app):
    with app.app_context():
        limited = {endpoint for endpoint in app.view_functions if limits_apply(app_limiter, endpoint)}
    assert limited == LIMITED


def _view(name: str):  # type: ignore[no-untyped-def]
    """A view of its own name: Flask-Limiter knows decorated views by qualified name."""

    def view() -> str:
        return name

    view.__qualname__ = view.__name__ = name
    return view


def _mini_app(**limiter_options: object) -> tuple[Flask, Limiter, Blueprint]:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = Limiter(key_func=get_remote_address, **limiter_options)
    app.add_url_rule("/free", "free", _view("free"))
    app.add_url_rule("/limited", "limited", limiter.limit("2 per minute")(_view("limited")))
    return app, limiter, Blueprint("outer", __name__)


def test_a_limited_view_is_still_limited_and_a_free_one_is_never_checked(monkeypatch):
    app, limiter, _ = _mini_app()
    checked: list[str | None] = []
    original = Limiter._check_request_limit

    def counted(self, callable_name=None, in_middleware=True):  # type: ignore[no-untyped-def]
        if in_middleware:  # the before-request check (a decorated view checks its own limits again)
            checked.append(request.endpoint)
        return original(self, callable_name, in_middleware)

    monkeypatch.setattr(Limiter, "_check_request_limit", counted)
    limiter.init_app(app)
    check_only_where_limits_apply(app, limiter)
    client = app.test_client()
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
    assert all(client.get("/free").status_code == 200 for _ in range(20))
    assert checked == ["limited"] * 3
    assert app.extensions["rate_limited_endpoints"] == {"limited": True, "free": False}
    assert client.get("/nowhere").status_code == 404  # no endpoint: left to Flask-Limiter, which skips it


@pytest.mark.parametrize("option", [{"default_limits": ["5 per day"]}, {"application_limits": ["5 per day"]}])
def test_an_app_wide_limit_applies_to_every_endpoint(option):
    app, limiter, _ = _mini_app(**option)
    limiter.init_app(app)
    with app.app_context():
        assert limits_apply(limiter, "free")


def test_a_blueprint_limit_applies_to_its_views_and_its_nested_blueprints_views():
    app, limiter, outer = _mini_app()
    inner = Blueprint("inner", __name__)
    inner.add_url_rule("/deep", "deep", _view("deep"))
    outer.register_blueprint(inner, url_prefix="/inner")
    outer.add_url_rule("/page", "page", _view("page"))
    limiter.limit("1 per minute")(outer)
    app.register_blueprint(outer, url_prefix="/outer")
    limiter.init_app(app)
    check_only_where_limits_apply(app, limiter)
    with app.app_context():
        assert limits_apply(limiter, "outer.page")
        assert limits_apply(limiter, "outer.inner.deep")
        assert not limits_apply(limiter, "free")
    client = app.test_client()
    assert [client.get("/outer/inner/deep").status_code for _ in range(2)] == [200, 429]
