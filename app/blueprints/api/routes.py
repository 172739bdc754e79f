"""JSON API, first part: accounts, tokens, profile, preferences and the credit ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response

from app.blueprints.api import bp
from app.blueprints.api.spec import ApiValidationError, endpoint, openapi_document
from app.errors import json_error
from app.extensions import csrf, limiter
from app.models import CreditTransaction, User
from app.models.types import as_utc
from app.models.user import PACES, TONES
from app.services import ServiceError, accounts, credits, tokens
from app.services.credits import MAX_PAGE

# The API authenticates with bearer tokens only, never cookies, so CSRF does not apply.
csrf.exempt(bp)

CREDENTIALS = {
    "type": "object",
    "required": ["email", "password"],
    "additionalProperties": False,
    "properties": {
        "email": {"type": "string", "minLength": 3, "maxLength": 254, "format": "email"},
        "password": {"type": "string", "minLength": 1, "maxLength": 256},
    },
}
PREFERENCES = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "voice": {"type": ["string", "null"], "format": "uuid", "description": "id of a voice from the voices list"},
        "pace": {"enum": [*PACES, None]},
        "tone": {"enum": [*TONES, None]},
    },
}
ME = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "credit_balance": {"type": "integer"},
        "preferences": {"type": "object"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
TOKEN = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer"},
    },
}
LEDGER_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "transaction_type": {"enum": ["purchase", "consumption", "refund"]},
        "amount": {"type": "integer"},
        "balance_after": {"type": "integer"},
        "content_item_id": {"type": ["string", "null"]},
        "content_type": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Response:
    details = getattr(exc, "problems", None) or ([{"field": exc.field, "message": exc.message}] if exc.field else None)
    return json_error(exc.status, exc.message, code=exc.code, details=details)


def _iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "roles": list(user.roles),
        "credit_balance": user.credit_balance,
        "preferences": user.preferences or {},
        "created_at": _iso(user.created_at),
    }


def ledger_json(row: CreditTransaction) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "transaction_type": row.transaction_type,
        "amount": row.amount,
        "balance_after": row.balance_after,
        "content_item_id": str(row.content_item_id) if row.content_item_id else None,
        "content_type": row.content_type,
        "metadata": row.meta or {},
        "created_at": _iso(row.created_at),
    }


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole-number query parameter within bounds, or a 422 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiValidationError([{"field": name, "message": "Must be a whole number."}]) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiValidationError([{"field": name, "message": f"Must be {bound}."}])
    return value


class RowPage(Protocol):
    """A service's page of rows: `rows`, `page`, `per_page`, `total` and `pages`."""

    rows: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int: ...


def paged_body(result: RowPage, item_json: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """A page of rows as the API lists it: `items` and the page numbers (`list_of(..., paged=True)`)."""
    return {
        "items": [item_json(row) for row in result.rows],
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "pages": result.pages,
    }


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


@endpoint(
    "/auth/register",
    "POST",
    summary="Create an account (with one free credit)",
    auth=False,
    body=CREDENTIALS,
    response=ME,
    status=201,
    errors=(409, 429),
    tag="auth",
)
@limiter.limit(_register_limit)
def register(data: dict[str, Any]) -> tuple[Response, int]:
    user = accounts.register(data["email"], data["password"])
    return jsonify(user_json(user)), 201


@endpoint(
    "/auth/token",
    "POST",
    summary="Exchange email and password for a bearer token",
    auth=False,
    body=CREDENTIALS,
    response=TOKEN,
    errors=(401, 403, 429),
    tag="auth",
)
@limiter.limit(_login_limit)
def token(data: dict[str, Any]) -> Response:
    user = accounts.authenticate(data["email"], data["password"])
    if user is None:
        return json_error(401, "That email and password do not match.", code="invalid_credentials")
    if not user.is_active:
        return json_error(403, "This account is suspended.", code="suspended")
    access_token, expires_in = tokens.issue(user)
    return jsonify(access_token=access_token, token_type="Bearer", expires_in=expires_in)  # noqa: S106


@endpoint("/auth/revoke", "POST", summary="Revoke the bearer token used for this call", status=204, tag="auth")
def revoke() -> tuple[str, int]:
    tokens.revoke(g.api_claims)
    return "", 204


@endpoint("/me", "GET", summary="The signed-in account", response=ME, tag="account")
def me() -> Response:
    return jsonify(user_json(g.api_user))


@endpoint(
    "/me/preferences",
    "PATCH",
    summary="Change the saved voice, pace or tone (null clears one)",
    body=PREFERENCES,
    response={"type": "object", "properties": {"preferences": {"type": "object"}}},
    tag="account",
)
def update_preferences(data: dict[str, Any]) -> Response:
    prefs = accounts.update_preferences(g.api_user, data)
    return jsonify(preferences=prefs)


@endpoint(
    "/me/credits",
    "GET",
    summary="Credit balance and ledger rows, newest first",
    query=PAGE_PARAMS,
    response={
        "type": "object",
        "properties": {
            "credit_balance": {"type": "integer"},
            "items": {"type": "array", "items": LEDGER_ROW},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    },
    errors=(422,),
    tag="account",
)
def my_credits() -> Response:
    page = int_arg("page", 1, maximum=MAX_PAGE)  # SECURITY.md 23: test_bad_paging_is_422_naming_the_parameter
    per_page = int_arg("per_page", 20, maximum=100)
    ledger = credits.ledger_page(g.api_user.id, page=page, per_page=per_page)
    return jsonify(credit_balance=g.api_user.credit_balance, **paged_body(ledger, ledger_json))


@endpoint("/openapi.json", "GET", summary="This description", auth=False, tag="meta")
def openapi() -> Response:
    return jsonify(openapi_document())
