"""The audit log page: newest first, filtered by a plain GET form, paged. Read only: the log is append-only.

SECURITY.md 22: tests/blueprints/test_admin_pages.py::test_the_audit_log_filters_and_pages.
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from app.blueprints.admin import bp
from app.blueprints.admin.routes import admin_required, no_store, page_arg
from app.htmx import render
from app.services import ServiceError, audit_log


@bp.get("/audit")
@admin_required
def audit() -> Response:
    context = {
        "args": request.args,
        "actions": audit_log.known_actions(),
        "target_types": audit_log.known_target_types(),
    }
    try:
        filters = audit_log.parse_filters(request.args)
        result = audit_log.search(filters, page_arg())
    except ServiceError as exc:
        return no_store(
            render("admin/audit.html", "admin/_audit_rows.html", status=exc.status, error=exc, result=None, **context)
        )
    return no_store(render("admin/audit.html", "admin/_audit_rows.html", result=result, **context))
