"""Rate-limit pieces shared by the page views and the API (SECURITY.md 12)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import current_user


def setting(name: str) -> Callable[[], str]:
    """A limit read from the config at request time, so each app (and test) may set its own."""
    return lambda: current_app.config[name]


def user_key() -> str:
    """The browser's logged-in user."""
    return f"user:{current_user.get_id()}"


def actor_key() -> str:
    """The API user, else the client address."""
    api_user = g.get("api_user")
    return f"user:{api_user.id}" if api_user is not None else get_remote_address()


def check_only_where_limits_apply(app: Flask, limiter: Limiter) -> None:
    """Run Flask-Limiter's before-request check only for endpoints that some limit applies to.

    It works out each request's limits afresh, and for the many routes with none that is nearly all
    of its cost: in-process about 35 µs of CPU on a plain route and 100 µs on the API's play, a
    quarter of that request (README, "Benchmarks"). Whether any limit applies depends only on the endpoint
    (`limits_apply`), so it is found once per app and endpoint (`app.extensions
    ["rate_limited_endpoints"]`); requests to limited endpoints are checked exactly as before."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return  # the limiter did not hook into this app
    hooks = app.before_request_funcs[None]
    position = hooks.index(limiter._check_request_limit)  # fails loudly if Flask-Limiter hooks in otherwise
    check = hooks[position]
    known: dict[str | None, bool] = app.extensions.setdefault("rate_limited_endpoints", {})

    def check_where_limits_apply() -> None:
        endpoint = request.endpoint
        limited = known.get(endpoint)
        if limited is None:
            limited = known[endpoint] = limits_apply(limiter, endpoint)
        if limited:
            check()

    hooks[position] = check_where_limits_apply


def limits_apply(limiter: Limiter, endpoint: str | None) -> bool:
    """Whether any rate limit can apply to a request for the endpoint: one declared on its view (or
    met by it before, Flask-Limiter's hints) or on one of its blueprints, or any app-wide (default,
    application or meta) limit, which applies everywhere."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or _meta_limits(limiter):
        return True
    view = current_app.view_functions.get(endpoint or "")
    if endpoint is None or view is None:
        return True  # Flask-Limiter decides (it skips requests without an endpoint)
    names = endpoint.split(".")[:-1]  # "outer.inner.view": blueprints "outer.inner" and "outer"
    blueprints = [".".join(names[:n]) for n in range(len(names), 0, -1)]
    return bool(
        manager.decorated_limits(get_qualified_name(view))
        or manager.has_hints(endpoint)
        or any(manager.blueprint_limits(current_app, name) for name in blueprints)
    )


def _meta_limits(limiter: Limiter) -> bool:
    return bool(current_app.config.get("RATELIMIT_META") or getattr(limiter, "_meta_limits", None))
