"""Rate-limit pieces shared by the page views and the API (SECURITY.md 12)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g
from flask_limiter.util import get_remote_address
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
