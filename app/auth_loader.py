"""Flask-Login wiring: a browser session is valid only while its server-side record exists."""

from __future__ import annotations

import uuid

from flask import Flask, session

from app.extensions import db, login_manager
from app.models import User
from app.services import auth_sessions


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the Redis-backed session id does this job


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not auth_sessions.is_valid(session.get("sid"), user_id):
        return None
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None
