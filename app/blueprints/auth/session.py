"""Starting and ending a browser login (SECURITY.md 11, 14)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import session
from flask_login import login_user, logout_user

from app.models import User
from app.services import auth_sessions


def start(user: User) -> None:
    """Log the user in on a brand-new session: nothing of the pre-login session survives."""
    auth_sessions.revoke(session.get("sid"))
    session.clear()
    session["sid"] = auth_sessions.create(user.id)
    session.permanent = True
    login_user(user)


def end() -> None:
    auth_sessions.revoke(session.get("sid"))
    logout_user()
    session.clear()


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
