"""Role checks shared by page views and the API (SECURITY.md 10)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request
from flask_login import current_user

from app.errors import wants_json
from app.extensions import login_manager
from app.models import User
from app.services import tokens

F = TypeVar("F", bound=Callable[..., Any])


def has_roles(user: User | None, roles: Iterable[str]) -> bool:
    """True when the user is active and holds every role named."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return all(user.has_role(role) for role in roles)


def is_api_request() -> bool:
    """API requests authenticate with bearer tokens only and get JSON errors, never a login page."""
    return request.blueprint == "api" or wants_json()


def current_actor() -> User | None:
    """The user behind this request: the API bearer token's, or the browser session's."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    if is_api_request():
        return _bearer_user()
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _bearer_user() -> User | None:
    """The user a valid bearer token speaks for (kept on `g` as the API views do)."""
    token = bearer_token()
    if token is None:
        return None
    try:
        g.api_user, g.api_claims = tokens.authenticate(token)
    except tokens.TokenError:
        return None
    return g.api_user


def roles_required(*roles: str) -> Callable[[F], F]:
    """Let the view run only for a signed-in user holding every role named (401/login, else 403).

    SECURITY.md 10: tests/api/test_permissions.py."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None:
                if is_api_request():
                    abort(401)
                return login_manager.unauthorized()
            if not has_roles(actor, roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


login_required = roles_required()
