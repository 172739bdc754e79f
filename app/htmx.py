"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def is_htmx_request() -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(template: str, partial: str | None = None, *, status: int = 200, **context: object) -> Response:
    """Render `partial` for htmx requests when given, else the full `template`."""
    name = partial if partial and is_htmx_request() else template
    response = make_response(render_template(name, **context), status)
    response.vary.add("HX-Request")
    return response
