"""Error pages for browsers and `{error: {code, message}}` bodies for the API."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.services import ServiceError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}

FRIENDLY = {
    400: "That request could not be understood.",
    401: "Please log in to continue.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. We have logged it and will look into it.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, *, code: str | None = None, details: object = None) -> Response:
    body: dict = {"error": {"code": code or CODES.get(status, "error"), "message": message}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int] | Response:
        log.warning("CSRF check failed on %s %s: %s", request.method, request.path, exc.description)
        message = "Your form expired or was sent from elsewhere. Please reload the page and try again."
        if wants_json():
            return json_error(400, message, code="csrf_failed")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        if wants_json():
            response = json_error(status, _api_message(exc, status))
        else:
            message = FRIENDLY.get(status, exc.description or "")
            response = app.make_response((render_template("errors/error.html", status=status, message=message), status))
        headers = dict(exc.get_headers())
        for name in ("Retry-After", "Allow", "WWW-Authenticate"):
            if name in headers:
                response.headers[name] = headers[name]
        return response

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError) -> Response:
        """A domain rule said no outside the API (whose blueprint answers in JSON itself)."""
        if wants_json():
            return json_error(exc.status, exc.message, code=exc.code)
        message = FRIENDLY.get(exc.status, exc.message) if exc.status == 404 else exc.message
        return app.make_response((render_template("errors/error.html", status=exc.status, message=message), exc.status))

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, FRIENDLY[500])
        return render_template("errors/error.html", status=500, message=FRIENDLY[500]), 500

    del _csrf, _http, _service, _unhandled


def _api_message(exc: HTTPException, status: int) -> str:
    """The message given to abort(), else a plain default for the status."""
    if status >= 500:
        return FRIENDLY[500]
    if status == 429:
        return f"{FRIENDLY[429]} (limit: {exc.description})"
    if exc.description and exc.description != type(exc).description:
        return exc.description
    if status == 401:
        return "A valid bearer token is required."
    return FRIENDLY.get(status, exc.description or "")
