"""Assertions and builders shared by the API tests."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt
import sqlalchemy as sa
from flask import Flask
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

from app.blueprints.api.spec import ERROR_SCHEMA
from app.extensions import db
from app.models import CreditTransaction, User

API = "/api/v1"
ERROR_VALIDATOR = Draft202012Validator(ERROR_SCHEMA)


def assert_error(
    response: TestResponse, status: int, *, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """The response is a JSON error body of the documented shape with this status; returns `error`."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.mimetype == "application/json", (response.mimetype, text[:200])
    assert "<html" not in text.lower() and "<!doctype" not in text.lower()
    body = response.get_json()
    ERROR_VALIDATOR.validate(body)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}
    assert error["code"].strip() and error["message"].strip()
    for detail in error.get("details", []):
        assert isinstance(detail.get("field"), str) and detail.get("message", "").strip(), detail
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert field in fields_named(error), error
    return error


def fields_named(error: dict[str, Any]) -> list[str]:
    return [d["field"] for d in error.get("details", [])]


def row_counts(app: Flask) -> tuple[int, int]:
    """(users, ledger rows) currently in the database."""
    with app.app_context():
        users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction))
        db.session.remove()
    return users, rows


def claims_for(app: Flask, user_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """Claims shaped like the ones the server issues, valid for ten minutes, with `changes` applied."""
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "aud": app.config["JWT_AUDIENCE"],
        "iss": app.config["JWT_ISSUER"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": secrets.token_urlsafe(16),
        "ver": 0,
    }
    claims.update(changes)
    return claims


def signed_token(app: Flask, claims: dict[str, Any], *, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or app.config["SECRET_KEY"], algorithm=algorithm)


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
