"""The player's same-origin beacon: practice reports sent with the browser's login session.

`navigator.sendBeacon` cannot set headers, so the page sends its CSRF token as the `csrf_token`
field of a form-encoded body (URLSearchParams or FormData); a `fetch` may instead send JSON with
the `X-CSRFToken` header. Flask-WTF's CSRFProtect checks either before the view runs, as for every
other form (SECURITY.md 15). The fields and their meaning are those of `POST /api/v1/practice-events`;
answers, errors included, are JSON.
"""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response

from app.blueprints.practice import bp
from app.errors import json_error
from app.services import ServiceError, practice


# SECURITY.md 15: tests/blueprints/test_practice_beacon.py::test_without_the_token_nothing_is_recorded
@bp.post("/events")
def report() -> tuple[Response, int] | Response:
    if not current_user.is_authenticated:
        return json_error(401, "Please log in to continue.")
    outcome = practice.record(current_user.id, practice.Report.parse(_fields()), client="beacon")
    return jsonify(outcome.to_json()), 201 if outcome.created else 200


def _fields() -> Any:
    """The report: form fields, or a JSON object."""
    if not request.is_json:
        return request.form
    data = request.get_json(silent=True)
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be stored
    except (UnicodeEncodeError, RecursionError):
        data = None
    if data is None:
        raise BadRequest(description="The body is not valid JSON.")
    if not isinstance(data, dict):
        raise ServiceError("Send the report as a JSON object.")
    return data


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Response:
    details = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return json_error(exc.status, exc.message, code=exc.code, details=details)


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> Response:
    return json_error(400, "The page's CSRF token is missing or expired; reload the page.", code="csrf_failed")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    return json_error(status, exc.description or "That request could not be handled.")
