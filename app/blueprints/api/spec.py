"""API endpoints declared once: the Flask route, its bearer/role check, its body validation and
its OpenAPI entry all come from the same `endpoint(...)` call."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from flask import abort, g, request
from jsonschema import Draft202012Validator
from werkzeug.exceptions import BadRequest, Unauthorized, UnsupportedMediaType

from app.blueprints.api import bp
from app.permissions import bearer_token, has_roles
from app.services import ServiceError, tokens

PATHS: dict[str, dict[str, Any]] = {}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}

_STATUS_TEXT = {
    200: "Success",
    201: "Created",
    400: "Malformed request",
    401: "Missing, invalid, expired or revoked bearer token",
    402: "Not enough credits",
    403: "The account lacks a required role",
    404: "Not found",
    409: "Conflict",
    415: "The body is not JSON",
    422: "A field is invalid",
    429: "Rate limited (see Retry-After)",
}


class ApiValidationError(ServiceError):
    status = 422
    code = "invalid"

    def __init__(self, problems: list[dict[str, str]]) -> None:
        summary = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
        super().__init__(summary, field=problems[0]["field"] if problems else None)
        self.problems = problems


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in re.findall(r"<(?:([^:<>]+):)?([^<>]+)>", rule):
        schema = {"type": "string", "format": "uuid"} if converter == "uuid" else {"type": "string"}
        if converter == "int":
            schema = {"type": "integer"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def endpoint(
    rule: str,
    method: str,
    *,
    summary: str,
    auth: bool | Literal["id"] = True,
    roles: tuple[str, ...] = (),
    prefetch: Callable[..., tokens.Prefetch] | None = None,
    body: dict[str, Any] | None = None,
    query: list[dict[str, Any]] | None = None,
    response: dict[str, Any] | None = None,
    status: int | tuple[int, ...] = 200,
    errors: tuple[int, ...] = (),
    tag: str = "default",
) -> Callable:
    """Register an API view with its contract; the view receives the validated body as `data`.

    `auth`: True puts the token's user on `g.api_user` (and `g.api_user_id`); "id" only sets
    `g.api_user_id`, from `tokens.principal` — the same token checks without loading the user, for
    hot reads that need no more than the id (no roles). `prefetch` (with "id"), called with the
    view's path arguments, gives Redis reads that run in the token check's round trip; the view
    receives it as `prefetched`, holding the results only if the token passed. `status` is the
    success status, or a tuple of them when the answer depends on the request (each gets the same
    response schema)."""
    if roles and auth is not True:
        raise ValueError("roles need auth=True: they are read from the user row")
    if prefetch is not None and auth != "id":
        raise ValueError('prefetch needs auth="id": it rides on that token check\'s Redis round trip')
    validator = Draft202012Validator(body) if body else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if auth == "id" and prefetch is not None:
                reads = prefetch(**kwargs)
                g.api_user_id, g.api_claims = _authenticate(lambda token: tokens.principal(token, reads))
                kwargs["prefetched"] = reads
            elif auth == "id":
                g.api_user_id, g.api_claims = _authenticate(tokens.principal)
            elif auth:
                g.api_user, g.api_claims = _authenticate(tokens.authenticate)
                g.api_user_id = g.api_user.id
                if roles and not has_roles(g.api_user, roles):
                    abort(403, description="Your account does not have the role this needs.")
            if validator is not None:
                kwargs["data"] = _validated_body(validator)
            return view(*args, **kwargs)

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[method])
        _document(rule, method, summary, auth, roles, body, query, response, status, errors, tag)
        return wrapper

    return decorator


def _document(
    rule: str,
    method: str,
    summary: str,
    auth: bool | Literal["id"],
    roles: tuple[str, ...],
    body: dict[str, Any] | None,
    query: list[dict[str, Any]] | None,
    response: dict[str, Any] | None,
    status: int | tuple[int, ...],
    errors: tuple[int, ...],
    tag: str,
) -> None:
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "parameters": _path_parameters(rule) + (query or []),
        "responses": {},
    }
    for success in status if isinstance(status, tuple) else (status,):
        operation["responses"][str(success)] = {"description": _STATUS_TEXT.get(success, "Success")}
        if response:
            operation["responses"][str(success)]["content"] = {"application/json": {"schema": response}}
    if roles:
        operation["description"] = "Requires the role(s): " + ", ".join(roles) + "."
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    codes = set(errors)
    if body:
        codes |= {400, 415, 422}
    if auth:
        operation["security"] = [{"bearerAuth": []}]
        codes.add(401)
    else:
        operation["security"] = []
    if roles:
        codes.add(403)
    for code in sorted(codes):
        operation["responses"][str(code)] = {
            "description": _STATUS_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    PATHS.setdefault(_openapi_path(rule), {})[method.lower()] = operation


def _authenticate(check: Callable[[str], tuple[Any, dict]]) -> tuple[Any, dict]:
    """SECURITY.md 13: tests/api/test_jwt_security.py, tests/api/test_token_principal.py."""
    token = bearer_token()
    if token is None:
        raise Unauthorized(description="Send an Authorization: Bearer <token> header.")
    try:
        return check(token)
    except tokens.TokenError as exc:
        raise Unauthorized(description=str(exc)) from None


def _validated_body(validator: Draft202012Validator) -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType(description="Send the body as JSON (Content-Type: application/json).")
    data = _json_body()  # SECURITY.md 23: test_unusable_json_is_400_not_500
    if data is None:
        raise BadRequest(description="The body is not valid JSON.")
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        field = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            field, message = missing, "This field is required."
        elif error.validator == "additionalProperties":
            known = list(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - set(known)):
                problems.append(
                    {
                        "field": f"{field}.{name}" if field else name,
                        "message": "Unknown field; the fields are: " + ", ".join(known) + ".",
                    }
                )
            continue
        else:
            message = error.schema.get("description_error") or _plain(error)
        problems.append({"field": field, "message": message})
    if problems:
        raise ApiValidationError(problems)
    return data


def _json_body() -> Any:
    """The parsed body, or None when it is not JSON this API accepts: bad syntax, nesting too deep
    for the parser, or strings holding lone UTF-16 surrogates (no field can store or hash those)."""
    try:
        data = request.get_json(silent=True)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (RecursionError, UnicodeEncodeError):
        return None
    return data


def _plain(error: Any) -> str:
    kind = error.validator
    schema = error.schema
    if kind == "type":
        return f"Must be of type {schema['type']}."
    if kind == "enum":
        return "Must be one of: " + ", ".join(str(v) for v in schema["enum"] if v is not None) + "."
    if kind == "minLength":
        return f"Must be at least {schema['minLength']} characters."
    if kind == "maxLength":
        return f"Must be at most {schema['maxLength']} characters."
    if kind == "minimum":
        return f"Must be at least {schema['minimum']}."
    if kind == "maximum":
        return f"Must be at most {schema['maximum']}."
    if kind == "minProperties":
        return "Send at least one field."
    return error.message


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "waQup API",
            "version": "1.0.0",
            "description": "Personal guided meditations, affirmations and rituals. "
            "Authenticate with POST /auth/token and send `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(PATHS.items())),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }
